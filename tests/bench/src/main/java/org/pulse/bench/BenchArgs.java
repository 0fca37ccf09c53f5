package org.pulse.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The command lines of the bench programs: a wrong argument is one line naming it and what to give
 * instead, then the usage, and exit code 2 (as a mistyped option of any command-line tool), never a
 * Java stack trace, and never a long run started on a default the operator did not ask for.
 */
public final class BenchArgs {
    private BenchArgs() {
    }

    /** A wrong argument, in words an operator can act on; the program prints it with its usage and exits 2. */
    public static final class BadArgument extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public BadArgument(String message) {
            super(message);
        }
    }

    /** Whether the operator asked for the usage ({@code -h}, {@code --help}) anywhere on the line. */
    public static boolean wantsHelp(String[] args) {
        return Arrays.stream(args).anyMatch(a -> a.equals("-h") || a.equals("--help"));
    }

    /** The value of the option at {@code args[i - 1]}, which is {@code args[i]}: call as {@code value(args, ++i)}. */
    public static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new BadArgument(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** {@code text} as a whole number of at least {@code min}, for {@code what} (an option or a positional name). */
    public static int intOf(String what, String text, int min) {
        long v = longOf(what, text, min);
        if (v > Integer.MAX_VALUE) {
            throw new BadArgument(what + " '" + text + "' is too large (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    /** {@code text} as a whole number of at least {@code min}. */
    public static long longOf(String what, String text, long min) {
        long v;
        try {
            v = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new BadArgument(what + " takes a whole number, not '" + text + "'");
        }
        if (v < min) {
            throw new BadArgument(what + " must be at least " + min + ", not " + v);
        }
        return v;
    }

    /**
     * Positional whole numbers ({@code bench/runtime [COMMITS [TRIALS]]}): each given one parsed (at least its
     * minimum), the defaults for the rest; an option or one argument too many is refused.
     */
    public static int[] positionalInts(String[] args, List<String> names, int[] defaults, int[] mins) {
        if (args.length > names.size()) {
            throw new BadArgument("unexpected argument '" + args[names.size()] + "' (takes at most " + names.size() + ": "
                    + String.join(" ", names) + ")");
        }
        int[] out = defaults.clone();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("-") && !args[i].matches("-[0-9]+")) {
                throw new BadArgument("unknown option " + args[i]);
            }
            out[i] = intOf(names.get(i), args[i], mins[i]);
        }
        return out;
    }

    /** Prints {@code PROGRAM: MESSAGE} and the usage on stderr and exits 2. */
    public static void exitBad(String program, String usage, BadArgument e) {
        System.err.println(program + ": " + e.getMessage());
        System.err.println(usage);
        System.exit(2);
    }

    /** Prints the usage on stdout and exits 0 (the operator asked for it). */
    public static void exitHelp(String usage) {
        System.out.println(usage);
        System.exit(0);
    }
}
