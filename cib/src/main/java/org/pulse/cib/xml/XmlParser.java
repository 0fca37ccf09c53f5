package org.pulse.cib.xml;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads XML into an {@link XmlElement} tree: a small reader written for the CIB rather than a
 * StAX library. The CIB is plain XML (elements, attributes, comments, the five predefined
 * entities and character references, the odd CDATA section), and a one-shot {@code crm simulate}
 * or {@code crm configure show} is mostly start-up: Woodstox needed ~170 ms to read a 3.8 MB CIB in
 * a fresh JVM, this reader ~50 ms (bench/scheduler). It keeps what Pulse does not understand, in
 * place and in order: every element, attribute and comment in document order.
 *
 * <p>It checks well-formedness as XML 1.0 defines it for such documents (matching tags, quoted
 * and unique attributes, no '<' in values, legal characters, defined entities) and refuses DTDs
 * (a CIB never needs one, and they are the classic XML attack). Names are taken as written
 * ("x:thing") and namespace declarations are kept as plain attributes, so a CIB that carries
 * another tool's namespaced data writes back with its xmlns declarations. Whitespace-only text is
 * dropped: the CIB has no mixed content, and the writer indents anew. Line ends are normalized
 * (CR LF and CR become LF) and attribute values are normalized as XML requires (a literal tab or
 * line end becomes a space; {@code &#10;} stays a line end).
 */
public final class XmlParser {
    /** Deeper than any real CIB (about 12 levels) by far; guards against hostile input. */
    public static final int MAX_DEPTH = 256;
    /** Largest attribute value accepted; a real CIB's largest are digests and rule expressions. */
    public static final int MAX_ATTRIBUTE_CHARS = 1 << 20;

    private XmlParser() {
    }

    public static XmlElement parse(String source, String xml) throws XmlParseException {
        if (xml.isBlank()) {
            throw new XmlParseException(source, 1, 1, "no root element: the file is empty; a CIB is an XML document"
                    + " with a <cib> root");
        }
        return new Reading(source, xml.getBytes(StandardCharsets.UTF_8)).document(SPLIT_BYTES);
    }

    /**
     * Reads a document given as UTF-8 bytes (a file as it is on disk): no decoding into a String
     * and no copy into chars first, which for a 3.8 MB CIB was ~15 ms and 11 MB of fresh memory.
     */
    public static XmlElement parse(String source, byte[] utf8) throws XmlParseException {
        return parse(source, utf8, SPLIT_BYTES);
    }

    /** {@link #parse(String, byte[])}, with a second thread for the second half from {@code splitBytes} on (tests: small documents). */
    static XmlElement parse(String source, byte[] utf8, int splitBytes) throws XmlParseException {
        int i = 0;
        while (i < utf8.length && (utf8[i] == ' ' || utf8[i] == '\n' || utf8[i] == '\t' || utf8[i] == '\r')) {
            i++;
        }
        if (i == utf8.length) {
            throw new XmlParseException(source, 1, 1, "no root element: the file is empty; a CIB is an XML document"
                    + " with a <cib> root");
        }
        return new Reading(source, utf8).document(splitBytes);
    }

    /**
     * A CIB file's tree: {@link #parse(String, byte[])} of {@link #readFile}, the same tree and
     * the same errors, but a file of 16 MB or more is read through a window of 8 MB that slides on
     * as the reading goes, never held whole. A 32 x 10,000 CIB with every node's probe history is
     * 183 MB: as one array those were 183 MB of fresh memory, which the JVM clears and the kernel
     * faults in page by page before a byte is read (on this VM ~0.4 s of the main thread's CPU).
     * Where a window does not do (a node bigger than 4 MB, or a file that is not well-formed),
     * the file is read again as a whole, which says exactly what is wrong and where.
     */
    public static XmlElement parseFile(java.nio.file.Path file) throws IOException, XmlParseException {
        return parseFile(file, SPLIT_BYTES, WINDOW_BYTES, AHEAD_BYTES, SPLIT_BYTES);
    }

    /** A big file's window, and how much of the document it holds ahead of each node at least. */
    static final int WINDOW_BYTES = 8 << 20;
    static final int AHEAD_BYTES = 4 << 20;

    /** {@link #parseFile(java.nio.file.Path)} with its sizes as arguments (tests: small documents, small windows). */
    static XmlElement parseFile(java.nio.file.Path file, long windowFrom, int windowBytes, int aheadBytes, int splitBytes)
            throws IOException, XmlParseException {
        if (java.nio.file.Files.size(file) >= windowFrom) {
            try {
                return windowed(file, windowBytes, aheadBytes, splitBytes);
            } catch (XmlParseException e) {
                // read below as one array: the error as it is, or the tree where a node did not fit
            }
        }
        return parse(file.toString(), readFile(file), splitBytes);
    }

    /** The reading through a window alone: its tree, or an error whose words and place may not be exact. */
    static XmlElement windowed(java.nio.file.Path file, int windowBytes, int aheadBytes, int splitBytes)
            throws IOException, XmlParseException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            return new Reading(file.toString(), ch, windowBytes, aheadBytes, false).document(splitBytes);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * A document from a stream (a gzipped CIB as it is unpacked), read through a window of at most 8 MB
     * as a big file is ({@link #parseFile}): never held whole. {@code expectedBytes}, the size the
     * document is said to have, keeps the window no bigger than the document. Where a window does not
     * do (a node bigger than 4 MB, or a document that is not well-formed), {@code again} gives the whole
     * document as one array, read as {@link #parse(String, byte[])} reads it: the same tree and the same
     * errors. No second thread: it would have to read the second half first.
     */
    public static <E extends Exception> XmlElement parseStream(String source, java.io.InputStream in, long expectedBytes,
            WholeDocument<E> again) throws IOException, XmlParseException, E {
        int window = (int) Math.max(1024, Math.min(WINDOW_BYTES, expectedBytes + 1));
        return parseStream(source, in, window, window == WINDOW_BYTES ? AHEAD_BYTES : window / 2, again);
    }

    /** {@link #parseStream(String, java.io.InputStream, long, WholeDocument)} with its sizes as arguments (tests). */
    static <E extends Exception> XmlElement parseStream(String source, java.io.InputStream in, int windowBytes,
            int aheadBytes, WholeDocument<E> again) throws IOException, XmlParseException, E {
        try {
            return new Reading(source, in, windowBytes, aheadBytes).document(0);
        } catch (XmlParseException e) {
            return parse(source, again.bytes());
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The whole document as one array, for when a window does not do ({@link #parseStream}). */
    @FunctionalInterface
    public interface WholeDocument<E extends Exception> {
        byte[] bytes() throws E;
    }

    /** How much one read call asks for (see {@link #readFile}). */
    private static final int READ_STEP_BYTES = 1 << 20;

    /**
     * A file's bytes, read in steps of 1 MB into one array of the file's size. Files.readAllBytes
     * asks the channel for the whole file at once, and the channel reads a heap array through a
     * temporary native buffer of the same size: for a 183 MB CIB that was another 183 MB of peak
     * RSS (freed only after) and ~0.2 s of CPU in page faults and the extra copy.
     */
    public static byte[] readFile(java.nio.file.Path file) throws IOException {
        return readFile(file, SPLIT_BYTES);
    }

    /**
     * {@link #readFile(java.nio.file.Path)}; a file of {@code parallelFrom} bytes or more has its
     * second half read by a second thread at the same time (positional reads into the same
     * array): reading a 183 MB CIB was ~0.2 s, mostly the kernel's copy and the page faults of the
     * fresh array, which two cores share.
     */
    static byte[] readFile(java.nio.file.Path file, long parallelFrom) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new IOException(file + " is " + size + " bytes, more than a CIB can be (2 GB)");
            }
            byte[] b = new byte[(int) size];
            int n = 0;
            if (size >= parallelFrom && size >= 2) {
                int half = (int) (size / 2);
                IOException[] failed = new IOException[1];
                int[] secondGot = new int[1];
                byte[] whole = b;
                Thread second = new Thread(() -> {
                    try {
                        secondGot[0] = readAt(ch, whole, half, whole.length);
                    } catch (IOException e) {
                        failed[0] = e;
                    }
                }, "cib-read-second-half");
                second.setDaemon(true);
                second.start();
                int firstGot;
                try {
                    firstGot = readAt(ch, b, 0, half);
                } finally {
                    joinUninterruptibly(second);
                }
                if (failed[0] != null) {
                    throw failed[0];
                }
                if (firstGot == half && secondGot[0] == b.length - half) {
                    n = b.length;
                    ch.position(size);   // on to whether it grew meanwhile, below
                } else {
                    ch.position(0);   // it shrank meanwhile: read it again, as one reading
                }
            }
            java.nio.ByteBuffer probe = java.nio.ByteBuffer.allocate(1);
            while (true) {
                if (n == b.length) {
                    // the size it had when opened is read: done, unless it grew meanwhile
                    probe.clear();
                    if (ch.read(probe) <= 0) {
                        break;
                    }
                    if (b.length >= Integer.MAX_VALUE - 16) {
                        throw new IOException(file + " is more than 2 GB, more than a CIB can be");
                    }
                    b = Arrays.copyOf(b, (int) Math.min(Math.max((long) b.length * 2, 64), Integer.MAX_VALUE - 16));
                    b[n++] = probe.get(0);
                    continue;
                }
                java.nio.ByteBuffer step = java.nio.ByteBuffer.wrap(b, n, Math.min(READ_STEP_BYTES, b.length - n));
                int got = ch.read(step);
                if (got < 0) {
                    break;
                }
                n += got;
            }
            return n == b.length ? b : Arrays.copyOf(b, n);
        }
    }

    /** Positional reads of b[from, to) from the file's same offsets until full or the end of the file; the bytes read. */
    private static int readAt(java.nio.channels.FileChannel ch, byte[] b, int from, int to) throws IOException {
        int p = from;
        while (p < to) {
            int got = ch.read(java.nio.ByteBuffer.wrap(b, p, Math.min(READ_STEP_BYTES, to - p)), p);
            if (got < 0) {
                break;
            }
            p += got;
        }
        return p - from;
    }

    /** Waits for a helper whose result is needed whatever happens; an interrupt meanwhile is passed on after. */
    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * An element whose end tag has not been read yet. One per depth is reused from element to
     * element ({@link Reading#openAt}): nothing keeps it once its end tag is read, and a big
     * CIB's history opens 320,000 lrm_resource elements.
     */
    private static final class Open {
        String name;
        AttributeMap attributes;
        int line;
        /** Where its name is in the document (-1 when not ASCII): the end tag is compared with it byte by byte. */
        int nameAt;
        /** Its children are those of {@link Reading#kids} from here on. */
        int kidsFrom;

        Open set(String name, AttributeMap attributes, int line, int nameAt, int kidsFrom) {
            this.name = name;
            this.attributes = attributes;
            this.line = line;
            this.nameAt = nameAt;
            this.kidsFrom = kidsFrom;
            return this;
        }
    }

    /**
     * What the last element of one name at one depth looked like: its attributes' names and
     * values, and where they are in the document. A CIB repeats itself (every lrm_rsc_op has the
     * same attributes in the same order, most of them with the value the previous one had), so
     * the next element is first compared byte by byte with the previous one where it lies in the
     * document: a hit takes the same String without scanning, hashing or looking it up. On a
     * 32 x 10,000 CIB with full probe history (321,000 operations of 17 attributes) reading names
     * and values was most of the parse.
     */
    private static final class Shape {
        String[] names = new String[8];
        int[] nameAt = new int[8];
        /** The value at each slot, or null when there is nothing to compare with (not ASCII, entities, ...). */
        String[] values = new String[8];
        int[] valueAt = new int[8];
        byte[] quotes = new byte[8];
        int count;
        /**
         * names[0, distinct) are ASCII names, each different from the others, and every element that read its first
         * attributes from those slots was checked for a repeated attribute: an element whose attributes up to one
         * in a slot below this were all read from their slots cannot repeat a name there (see startTag).
         */
        int distinct;
        /** The names array of the last element of this shape's attributes (shared with the next one when the same). */
        String[] lastNames;

        void grow(int slot) {
            if (slot >= names.length) {
                int size = Math.max(slot + 1, names.length * 2);
                names = Arrays.copyOf(names, size);
                nameAt = Arrays.copyOf(nameAt, size);
                values = Arrays.copyOf(values, size);
                valueAt = Arrays.copyOf(valueAt, size);
                quotes = Arrays.copyOf(quotes, size);
            }
        }
    }

    /**
     * Values this short are shared between elements (one "ocf", one "monitor", ...); see {@link Names}.
     * Transition keys and magic ("0:7;123:1:7:" and a 36-character uuid, ~46 characters) are
     * included: every node's history repeats the same few thousand (one per call id), and with
     * every node's probe history (32 x 10,000) a String of each for every entry was ~55 MB of the
     * run's fresh memory, which the kernel must clear before use.
     */
    private static final int SHARED_VALUE_CHARS = 64;

    /**
     * Documents at least this big have their second half read on a second thread (see {@link Split}):
     * a 32 x 10,000 CIB with every node's probe history is 183 MB, and reading it was half of a
     * scheduling run. Below this the thread costs more than it saves.
     */
    static final int SPLIT_BYTES = 16 << 20;

    /**
     * The second half of a big document, read ahead on its own thread: from the first
     * {@code <node_state} after 45% of it (the status section, most of a big CIB, is a run of
     * them) to the end tag that closes their parent, as the main reading would read it there. The
     * main reading takes it only when it arrives at exactly that place between two children, with
     * the same line count, and nothing was wrong with it; otherwise (the place was inside a comment, the
     * worker found an error, ...) it reads on itself, so what is read and every error is exactly
     * what one reading alone gives.
     */
    private static final class Split implements Runnable {
        /** Where the part begins: an offset in the document. */
        final int at;
        final Reading reading;
        final Thread thread;
        /** Set when the worker is done: its children, where it stopped (an offset in the document), the line there, its deepest nesting. */
        XmlNode[] kids;
        int stoppedAt;
        int lineAtStart;
        int lineAtStop;
        int deepest;
        boolean failed;

        /** {@code reading}: the worker's own, of the same document (a fragment's). */
        Split(Reading reading, int at) {
            this.at = at;
            this.reading = reading;
            this.thread = new Thread(this, "cib-parse-second-half");
            thread.setDaemon(true);
        }

        private static final byte[] TAG = "<node_state".getBytes(StandardCharsets.US_ASCII);

        /**
         * Where to look for the place: a little before the middle, since the first part also holds
         * the configuration and the main reading's bigger table of names (measured: 127 samples to
         * 88 when split at 55%).
         */
        static long lookFrom(long size) {
            return size * 9L / 20;
        }

        /** The first {@code <node_state} start tag at or after 45% of a document big enough, or -1. */
        static int place(byte[] c, int from, int end, int minimumBytes) {
            if (end - from < minimumBytes) {
                return -1;
            }
            return find(c, from + (int) lookFrom(end - from), end);
        }

        /**
         * {@link #place} in a file read through a window (the same place: its bytes are searched the
         * same way, {@code window} at a time, each step overlapping the last by a tag's length).
         */
        static int place(java.nio.channels.FileChannel file, byte[] window, int minimumBytes) throws IOException {
            long size = file.size();
            if (size < minimumBytes) {
                return -1;
            }
            long from = lookFrom(size);
            while (true) {
                int n = 0;
                while (n < window.length) {
                    int got = file.read(java.nio.ByteBuffer.wrap(window, n, window.length - n), from + n);
                    if (got < 0) {
                        break;
                    }
                    n += got;
                }
                int i = find(window, 0, n);
                if (i >= 0) {
                    return (int) (from + i);
                }
                if (n < window.length) {
                    return -1;   // the end of the file
                }
                from += n - TAG.length - 1;
            }
        }

        /** The first {@code <node_state} start tag in c[from, end) followed there by what ends a name, or -1. */
        private static int find(byte[] c, int from, int end) {
            byte[] tag = TAG;
            int last = end - tag.length - 1;
            outer:
            for (int i = from; i < last; i++) {
                if (c[i] != '<') {
                    continue;
                }
                for (int k = 1; k < tag.length; k++) {
                    if (c[i + k] != tag[k]) {
                        continue outer;
                    }
                }
                int after = c[i + tag.length];
                if (after == ' ' || after == '\t' || after == '\n' || after == '\r' || after == '>' || after == '/') {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public void run() {
            Reading r = reading;
            try {
                if (r.file == null) {
                    r.line = 1 + r.lineEnds(0, at);
                    r.pos = at;
                } else {
                    r.line = 1 + r.lineEndsInFile(at);
                    r.moveWindow(at, 0);
                }
                lineAtStart = r.line;
                r.siblings();
                kids = Arrays.copyOf(r.kids, r.kidCount);
                stoppedAt = r.base + r.pos;
                lineAtStop = r.line;
                deepest = r.deepest;
            } catch (XmlParseException | RuntimeException | StackOverflowError e) {
                failed = true;   // the main reading reads this part itself and reports what is wrong
            }
        }
    }

    /**
     * One pass over one document: the whole of it in {@code c}, or, read from a file
     * ({@link #parseFile}), a window of it that slides on between two nodes. Positions are
     * positions in {@code c}; the document's offset of c[0] is {@code base}.
     */
    static final class Reading {
        private final String source;
        private byte[] c;
        /** The end of what {@code c} holds: the document's end, or (reading a window) the window's. */
        private int end;
        /** The document's offset of c[0]: 0 unless reading a window. */
        private int base;
        /** The file a window is read from, or null when {@code c} is the whole document. */
        private final java.nio.channels.FileChannel file;
        /**
         * Or the stream a window is read from, forward only ({@link #parseStream}): no second thread,
         * which would need to read the second half first.
         */
        private final java.io.InputStream stream;
        /** How much of {@link #stream} has been read. */
        private long streamRead;
        /** Reading a window: the file's end has been read into it. */
        private boolean eof;
        /** Reading a window: at a node's start, at least this much of the document (or all the rest) is in it. */
        private final int aheadBytes;
        private int pos;
        /** Line numbers are counted lazily, only where an element starts or an error is reported. */
        private int countedTo;
        private int countedLines = 1;
        private final Names names;
        private final ArrayList<Open> stack = new ArrayList<>();
        private String[] pairs = new String[16];
        private final Bytes scratch = new Bytes();
        /**
         * The line {@code pos} is on, counted as the reading goes: whitespace, text, comments and
         * values count the line ends they pass (what else is read, names and plain values, has
         * none). Counting lazily from the last element instead ({@link #lineOf}, now for errors
         * only) read every byte twice.
         */
        private int line = 1;
        /** The children of every open element, one after the other (see {@link Open#kidsFrom}). */
        private XmlNode[] kids = new XmlNode[64];
        private int kidCount;
        /** Per depth: the Open reused for the element open there (see {@link Open}). */
        private Open[] opens = new Open[16];
        /** Per depth: the last element name started there, where it was, and its shape. */
        private String[] lastName = new String[16];
        private int[] lastNameAt = new int[16];
        private Shape[] lastShape = new Shape[16];
        /** Shapes by element name (names are shared Strings). */
        private final java.util.IdentityHashMap<String, Shape> shapes = new java.util.IdentityHashMap<>();
        /** Set by {@link #attributeValue}: where the value began and whether it is plain ASCII read as it stands. */
        private int valueStart;
        private boolean valuePlain;
        /** A second thread's reading of the document's second half ({@link Split}), or null. */
        private Split split;
        /** This reading is a {@link Split}'s: it reads siblings and stops before their parent's end tag. */
        private final boolean fragment;
        /** A fragment's deepest nesting (its stack size at a start tag), for MAX_DEPTH as the whole reading counts it. */
        private int deepest;
        /** Whether the children a split read were taken (for tests: that the second thread was used). */
        boolean splitTaken;
        /** Set by the main reading when it will not take the split: the worker stops at its next element. */
        private volatile boolean cancelled;

        Reading(String source, byte[] utf8) {
            this(source, utf8, false);
        }

        Reading(String source, byte[] utf8, boolean fragment) {
            this.source = source;
            this.c = utf8;
            this.end = utf8.length;
            this.names = new Names();
            this.fragment = fragment;
            this.file = null;
            this.stream = null;
            this.eof = true;
            this.aheadBytes = 0;
        }

        /**
         * A reading of {@code file} through a window of {@code windowBytes}, with at least
         * {@code aheadBytes} (at most half the window) of the document in it at each node's start.
         */
        Reading(String source, java.nio.channels.FileChannel file, int windowBytes, int aheadBytes, boolean fragment) {
            this(source, file, null, windowBytes, aheadBytes, fragment);
        }

        /** A reading of {@code stream}, forward only, through a window as a file's (see the constructor above). */
        Reading(String source, java.io.InputStream stream, int windowBytes, int aheadBytes) {
            this(source, null, stream, windowBytes, aheadBytes, false);
        }

        private Reading(String source, java.nio.channels.FileChannel file, java.io.InputStream stream, int windowBytes,
                int aheadBytes, boolean fragment) {
            this.source = source;
            this.c = new byte[windowBytes];
            this.end = 0;
            this.names = new Names();
            this.fragment = fragment;
            this.file = file;
            this.stream = stream;
            this.aheadBytes = Math.min(aheadBytes, windowBytes / 2);
        }

        /**
         * Reading a window: at a node's start, makes sure at least {@link #aheadBytes} of the
         * document (or all the rest) is in the window, sliding it on if not. A node is read whole
         * within the window, so a node bigger than that may run into the window's end: it then
         * reads as truncated, and {@link #parseFile} reads the file again as a whole, which gives the
         * tree or the error exactly.
         */
        private void ahead() {
            if (eof || end - pos >= aheadBytes) {
                return;
            }
            int keep = end - pos;
            System.arraycopy(c, pos, c, 0, keep);
            moveWindow(base + pos, keep);
        }

        /** Reading a window: the window now starts at document offset {@code at}, the first {@code kept} bytes already in it. */
        private void moveWindow(int at, int kept) {
            base = at;
            pos = 0;
            end = kept;
            eof = false;
            forgetPositions();
            if (stream != null && streamRead != (long) base + end) {
                throw new IllegalStateException("a stream is read forward only: at " + streamRead + ", asked for "
                        + ((long) base + end));
            }
            try {
                while (end < c.length) {
                    int got = stream != null ? stream.read(c, end, c.length - end)
                            : file.read(java.nio.ByteBuffer.wrap(c, end, c.length - end), (long) base + end);
                    if (got < 0) {
                        eof = true;
                        break;
                    }
                    end += got;
                    streamRead += got;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /**
         * The window moved: what was remembered by position in it (the previous element's names
         * and values, the open elements' names) no longer holds; each is read anew once.
         */
        private void forgetPositions() {
            Arrays.fill(lastName, null);
            for (Shape shape : shapes.values()) {
                shape.count = 0;
            }
            for (Open open : stack) {
                open.nameAt = -1;
            }
        }

        /** On to document offset {@code at} (the end of a split's part): a jump in the window, or the window moved there. */
        private void continueAt(int at) {
            if (file == null) {
                pos = at;
            } else {
                moveWindow(at, 0);
            }
        }

        /** Reads with a second thread for the second half when the document is at least {@code splitBytes} long. */
        XmlElement document(int splitBytes) throws XmlParseException {
            int at;
            if (stream != null) {
                at = -1;
                moveWindow(0, 0);
            } else if (file == null) {
                at = Split.place(c, 0, end, splitBytes);
            } else {
                try {
                    at = Split.place(file, c, splitBytes);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                moveWindow(0, 0);
            }
            if (at > 0) {
                split = new Split(file == null ? new Reading(source, c, true)
                        : new Reading(source, file, c.length, aheadBytes, true), at);
                split.thread.start();
            }
            try {
                return document();
            } finally {
                abandonSplit();
            }
        }

        private void abandonSplit() {
            if (split != null) {
                split.reading.cancelled = true;
                split = null;
            }
        }

        /**
         * At {@code pos}, between two children of {@code top}: the split's children when it began
         * exactly here and read them without fault; false to read on (the split is then dropped).
         */
        private boolean takeSplit() {
            Split s = split;
            split = null;
            if (base + pos != s.at) {
                s.reading.cancelled = true;   // it began inside something read past (a comment, say)
                return false;
            }
            try {
                s.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.reading.cancelled = true;
                return false;
            }
            // its depths count from its parent: the whole reading would have refused what is too deep
            if (s.failed || s.lineAtStart != line || stack.size() - 1 + s.deepest >= MAX_DEPTH) {
                return false;
            }
            for (XmlNode k : s.kids) {
                addKid(k);
            }
            continueAt(s.stoppedAt);
            line = s.lineAtStop;
            splitTaken = true;
            return true;
        }

        /**
         * A fragment's reading: siblings from {@code pos} as children of an element whose start
         * tag is not read, up to the end tag that closes it (not read either), or an error.
         */
        void siblings() throws XmlParseException {
            stack.add(new Open().set("(a split's parent)", AttributeMap.copyOf(java.util.Map.of()), line, -1, 0));
            while (true) {
                if (cancelled) {
                    throw new XmlParseException(source, line, 1, "not needed");
                }
                ahead();
                Open top = stack.get(stack.size() - 1);
                text(top);
                if (pos >= end) {
                    throw truncated(top);
                }
                if (stack.size() == 1 && c[pos] == '<' && pos + 1 < end && c[pos + 1] == '/') {
                    return;
                }
                node(top);
            }
        }

        XmlElement document() throws XmlParseException {
            if (end >= 3 && c[0] == (byte) 0xEF && c[1] == (byte) 0xBB && c[2] == (byte) 0xBF) {
                pos = 3; // a byte-order mark, as some editors write
            }
            // The prolog: XML declaration, comments, processing instructions, whitespace.
            while (true) {
                ahead();
                skipWhitespace();
                if (pos >= end) {
                    throw error(pos, "no root element: the file ends before any element; a CIB has a <cib> root");
                }
                if (c[pos] != '<') {
                    throw error(pos, c[pos] >= 0 && c[pos] < ' ' ? badCharacter(c[pos])
                            : "text before the root element; a CIB starts with <cib ...> (or <?xml ...?>)");
                }
                if (startsWith("<?")) {
                    skipProcessingInstruction(true);
                } else if (startsWith("<!--")) {
                    comment(); // before the root: not kept, a CIB has nothing there
                } else if (startsWith("<!DOCTYPE")) {
                    throw error(pos, "DOCTYPE declarations are not accepted in a CIB; remove the <!DOCTYPE ...> line");
                } else {
                    break;
                }
            }
            XmlElement root = elementTree();
            // The epilog: only comments, processing instructions and whitespace may follow.
            while (true) {
                ahead();
                skipWhitespace();
                if (pos >= end) {
                    return root;
                }
                if (startsWith("<!--")) {
                    comment();
                } else if (startsWith("<?") && !startsWith("<?xml")) {
                    skipProcessingInstruction(false);
                } else {
                    throw error(pos, "content after the end of the root element </" + root.name()
                            + ">; an XML document has exactly one root");
                }
            }
        }

        /** The root element and everything in it, without recursion. */
        private XmlElement elementTree() throws XmlParseException {
            XmlElement done = startTag();
            if (done != null) {
                return done;
            }
            while (true) {
                ahead();
                Open top = stack.get(stack.size() - 1);
                text(top);
                if (pos >= end) {
                    throw truncated(top);
                }
                if (split != null && base + pos >= split.at && takeSplit()) {
                    continue;
                }
                XmlElement closed = node(top);
                if (closed != null && stack.isEmpty()) {
                    return closed;
                }
            }
        }

        /**
         * One node at {@code pos} ('<') inside {@code top}: an end tag (the element it closes is
         * returned, and added to its parent's children unless it is the root), a start tag, a
         * comment or a processing instruction.
         */
        private XmlElement node(Open top) throws XmlParseException {
            // c[pos] == '<'
            int next = pos + 1 < end ? c[pos + 1] : -1;
            if (next == '/') {
                XmlElement closed = endTag(top);
                if (!stack.isEmpty()) {
                    addKid(closed);
                }
                return closed;
            } else if (next != '!' && next != '?') {
                XmlElement empty = startTag();
                if (empty != null) {
                    addKid(empty);
                }
            } else if (startsWith("<!--")) {
                addKid(new XmlComment(comment()));
            } else if (startsWith("<?")) {
                if (startsWith("<?xml") && pos + 5 < end && isWhitespace(c[pos + 5])) {
                    throw error(pos, "an XML declaration <?xml ...?> inside the document; it may only be"
                            + " the first line");
                }
                skipProcessingInstruction(false);
            } else {
                throw error(pos, "'<!' inside an element starts neither a comment <!-- --> nor <![CDATA[ ]]>");
            }
            return null;
        }

        private void addKid(XmlNode kid) {
            if (kidCount == kids.length) {
                kids = Arrays.copyOf(kids, kidCount * 2);
            }
            kids[kidCount++] = kid;
        }

        /** The children of {@code top}, taken off the shared stack as an immutable list. */
        private List<XmlNode> takeKids(Open top) {
            int from = top.kidsFrom;
            int n = kidCount - from;
            List<XmlNode> out;
            if (n == 0) {
                out = List.of();
            } else if (n == 1) {
                out = List.of(kids[from]);
            } else if (n == 2) {
                out = List.of(kids[from], kids[from + 1]);
            } else {
                out = List.of(Arrays.copyOfRange(kids, from, kidCount));
            }
            Arrays.fill(kids, from, kidCount, null);
            kidCount = from;
            return out;
        }

        /**
         * The text up to the next tag, comment or end of input. A run that is whitespace only (the
         * indentation between tags, nearly all the text a CIB has) is skipped without a copy.
         * CDATA sections and processing instructions do not end a run; tags and comments do.
         */
        private void text(Open top) throws XmlParseException {
            int start = pos;
            skipWhitespace();
            if (pos >= end || (c[pos] == '<' && (pos + 1 >= end || (c[pos + 1] != '!' && c[pos + 1] != '?')
                    || (!startsWith("<![CDATA[") && !startsWith("<?"))))) {
                return;
            }
            Bytes sb = new Bytes();
            appendNormalized(sb, start, pos);
            while (pos < end) {
                int ch = c[pos] & 0xFF;
                if (ch == '<') {
                    if (startsWith("<![CDATA[")) {
                        int close = indexOf("]]>", pos + 9);
                        if (close < 0) {
                            throw error(pos, "a <![CDATA[ section is never closed with ]]>: was the file truncated?");
                        }
                        appendNormalized(sb, pos + 9, close);
                        line += lineEnds(pos + 9, close);
                        pos = close + 3;
                        continue;
                    }
                    if (startsWith("<?") && !startsWith("<?xml")) {
                        skipProcessingInstruction(false);
                        continue;
                    }
                    break;
                } else if (ch == '&') {
                    entity(sb, "text");
                } else if (ch == ']' && pos + 2 < end && c[pos + 1] == ']' && c[pos + 2] == '>') {
                    throw error(pos, "']]>' in text is not allowed in XML; write ]]&gt;");
                } else if (ch == '\r') {
                    sb.append('\n');
                    pos += pos + 1 < end && c[pos + 1] == '\n' ? 2 : 1;
                    line++;
                } else {
                    if (ch < ' ' && ch != '\t' && ch != '\n') {
                        throw error(pos, badCharacter(ch));
                    }
                    if (ch == '\n') {
                        line++;
                    }
                    sb.append(ch);
                    pos++;
                }
            }
            String text = decode(sb.bytes(), 0, sb.length(), start);
            if (!text.isBlank()) {
                addKid(new XmlText(text));
            }
        }

        /**
         * A start tag at {@code pos}. An empty element ({@code <x/>}) is returned; an open one is
         * pushed on the stack and null is returned.
         */
        private XmlElement startTag() throws XmlParseException {
            int at = pos;
            pos++; // '<'
            int depth = stack.size();
            if (depth > deepest) {
                deepest = depth;
            }
            if (depth >= MAX_DEPTH) {
                throw error(at, "elements nested deeper than " + MAX_DEPTH
                        + " levels; a CIB is never this deep, so the file is not a CIB");
            }
            if (depth >= lastName.length) {
                lastName = Arrays.copyOf(lastName, depth * 2);
                lastNameAt = Arrays.copyOf(lastNameAt, depth * 2);
                lastShape = Arrays.copyOf(lastShape, depth * 2);
            }
            int nameAt = pos;
            String name = lastName[depth];
            Shape shape;
            if (name != null && sameBytes(lastNameAt[depth], name.length()) && endsStartTagName(pos + name.length())) {
                pos += name.length();
                shape = lastShape[depth];
            } else {
                name = name(AFTER_LT, null);
                shape = shapes.get(name);
                if (shape == null) {
                    shape = new Shape();
                    shapes.put(name, shape);
                }
                boolean ascii = pos - nameAt == name.length();
                lastName[depth] = ascii ? name : null;
                lastNameAt[depth] = nameAt;
                lastShape[depth] = shape;
                if (!ascii) {
                    nameAt = -1;
                }
            }
            int tagLine = line;
            int n = 0;
            boolean shaped = true;   // every attribute so far was ASCII and sits in its shape's slot (see Shape.distinct)
            while (true) {
                boolean spaced = skipWhitespace();
                if (pos >= end) {
                    throw truncatedTag(name, at);
                }
                int ch = c[pos];
                if (ch == '>' || ch == '/') {
                    if (ch == '/') {
                        if (pos + 1 >= end) {
                            throw truncatedTag(name, at);
                        }
                        if (c[pos + 1] != '>') {
                            throw error(pos, "'/' in the tag <" + name + "> must be followed by '>'");
                        }
                        pos += 2;
                        return new XmlElement(name, attributes(shape, n), List.of(), tagLine);
                    }
                    pos++;
                    stack.add(openAt(depth).set(name, attributes(shape, n), tagLine, nameAt, kidCount));
                    return null;
                }
                if (!spaced) {
                    throw error(pos, "expected whitespace, '>' or '/>' after " + (n == 0 ? "<" + name
                            : "the value of attribute '" + pairs[n - 2] + "'") + " in <" + name + ">");
                }
                int attrAt = pos;
                int slot = n >> 1;
                if (slot >= shape.names.length) {
                    shape.grow(slot);
                }
                String attr = slot < shape.count ? shape.names[slot] : null;
                boolean sameName = attr != null && sameBytes(shape.nameAt[slot], attr.length())
                        && endsAttributeName(pos + attr.length());
                boolean nameAscii = true;
                if (sameName) {
                    pos += attr.length();
                } else {
                    attr = name(ATTRIBUTE, name);
                    nameAscii = pos - attrAt == attr.length();
                    shape.distinct = Math.min(shape.distinct, slot);   // this slot's name changes, or is not kept
                    shaped &= nameAscii;
                    if (nameAscii) {
                        // a name that is not ASCII is neither predicted nor shared
                        shape.names[slot] = attr;
                        shape.nameAt[slot] = attrAt;
                        shape.values[slot] = null;
                        shape.count = Math.max(shape.count, slot + 1);
                    } else if (slot < shape.count) {
                        shape.names[slot] = null;
                        shape.values[slot] = null;
                    }
                }
                skipWhitespace();
                if (pos >= end) {
                    throw truncatedTag(name, at);
                }
                if (c[pos] != '=') {
                    throw error(pos, "attribute '" + attr + "' of <" + name + "> has no value: write "
                            + attr + "=\"...\"");
                }
                pos++;
                skipWhitespace();
                if (pos >= end) {
                    throw truncatedTag(name, at);
                }
                int quote = c[pos];
                if (quote != '"' && quote != '\'') {
                    throw error(pos, "the value of attribute '" + attr + "' of <" + name
                            + "> must be in quotes: " + attr + "=\"...\"");
                }
                pos++;
                String value = sameName ? shape.values[slot] : null;
                if (value != null && shape.quotes[slot] == quote && sameBytes(shape.valueAt[slot], value.length())
                        && pos + value.length() < end && c[pos + value.length()] == quote) {
                    // the same plain value in the same quotes: it holds neither the quote nor anything to rewrite
                    pos += value.length() + 1;
                } else {
                    value = attributeValue(quote, attr, name, at);
                    if (sameName || shape.names[slot] == attr) {
                        shape.values[slot] = valuePlain ? value : null;
                        shape.valueAt[slot] = valueStart;
                        shape.quotes[slot] = (byte) quote;
                    }
                }
                // A repeated attribute: names are shared Strings (one per spelling) unless not ASCII. An
                // element whose attributes so far are the names of its shape's first slots, distinct, needs no
                // look (a history entry's 17 attributes: 136 comparisons each, a tenth of reading one).
                if (!shaped || slot >= shape.distinct) {
                    for (int i = 0; i < n; i += 2) {
                        if (pairs[i] == attr || (!nameAscii && pairs[i].equals(attr))) {
                            throw error(attrAt, "attribute '" + attr + "' appears twice in <" + name
                                    + ">; keep one");
                        }
                    }
                    if (shaped && slot == shape.distinct) {
                        shape.distinct = slot + 1;
                    }
                }
                if (n + 2 > pairs.length) {
                    pairs = Arrays.copyOf(pairs, pairs.length * 2);
                }
                pairs[n++] = attr;
                pairs[n++] = value;
            }
        }

        /**
         * The attributes read into {@code pairs[0, n)}: the names array is the one the previous
         * element of this shape got when the names are the same (the same Strings in the same order),
         * so elements that repeat themselves, as history entries do, share it.
         */
        private AttributeMap attributes(Shape shape, int n) {
            int count = n >> 1;
            String[] names = shape.lastNames;
            boolean same = names != null && names.length == count;
            for (int i = 0; same && i < count; i++) {
                same = names[i] == pairs[2 * i];
            }
            if (!same) {
                names = new String[count];
                for (int i = 0; i < count; i++) {
                    names[i] = pairs[2 * i];
                }
                shape.lastNames = names;
            }
            String[] values = new String[count];
            for (int i = 0; i < count; i++) {
                values[i] = pairs[2 * i + 1];
            }
            return AttributeMap.ofUnique(names, values);
        }

        private Open openAt(int depth) {
            if (depth >= opens.length) {
                opens = Arrays.copyOf(opens, depth * 2);
            }
            Open o = opens[depth];
            if (o == null) {
                o = new Open();
                opens[depth] = o;
            }
            return o;
        }

        /** Whether c[pos, pos + length) holds the same bytes as c[from, from + length). */
        private boolean sameBytes(int from, int length) {
            byte[] cs = c;
            int p = pos;
            if (p + length > end) {
                return false;
            }
            if (length >= 16) {
                // a long value (a digest, a transition key) compared 8 bytes at a time, as the JDK's ranged compare goes
                return Arrays.equals(cs, p, p + length, cs, from, from + length);
            }
            for (int i = 0; i < length; i++) {
                if (cs[p + i] != cs[from + i]) {
                    return false;
                }
            }
            return true;
        }

        /** Whether an element name may end at {@code p} in a start tag (so a longer name is not taken for a shorter). */
        private boolean endsStartTagName(int p) {
            if (p >= end) {
                return false;
            }
            int ch = c[p];
            return ch == '>' || ch == '/' || isWhitespace(ch);
        }

        private boolean endsAttributeName(int p) {
            if (p >= end) {
                return false;
            }
            int ch = c[p];
            return ch == '=' || isWhitespace(ch);
        }

        private String attributeValue(int quote, String attr, String element, int tagAt) throws XmlParseException {
            byte[] cs = c;
            int start = pos;
            int p = start;
            int limit = end;
            int high = 0;
            // the value's hash for the shared Strings' table, taken in this one pass over its bytes (Names.hash's)
            int hash = 0;
            while (p < limit) {
                int ch = cs[p];
                if (ch == quote) {
                    int length = p - start;
                    pos = p + 1;
                    checkLength(length, attr, element, start);
                    valueStart = start;
                    valuePlain = high >= 0;
                    if (length <= SHARED_VALUE_CHARS) {
                        String s = high < 0 ? null : names.get(cs, start, length, hash, false);
                        return s != null ? s : decode(cs, start, length, start);
                    }
                    return high < 0 ? decode(cs, start, length, start)
                            : new String(cs, start, length, StandardCharsets.ISO_8859_1);
                }
                high |= ch;
                hash = 31 * hash + ch;
                if (ch == '&' || (ch >= 0 && ch < ' ') || ch == '<') {
                    break;   // (bytes of multi-byte characters are negative here: plain text)
                }
                p++;
            }
            pos = p;
            valuePlain = false;
            // The slow path: entities, tabs and line ends to normalize, or an error.
            Bytes sb = scratch;
            sb.clear();
            sb.append(c, start, pos - start);
            while (pos < end) {
                int ch = c[pos] & 0xFF;
                if (ch == quote) {
                    pos++;
                    checkLength(sb.length(), attr, element, start);
                    return decode(sb.bytes(), 0, sb.length(), start);
                } else if (ch == '&') {
                    entity(sb, "the value of attribute '" + attr + "'");
                } else if (ch == '<') {
                    throw error(pos, "'<' in the value of attribute '" + attr + "' of <" + element
                            + ">: write &lt;, or add the value's missing closing quote");
                } else if (ch == '\r') {
                    sb.append(' ');
                    pos += pos + 1 < end && c[pos + 1] == '\n' ? 2 : 1;
                    line++;
                } else if (ch == '\n' || ch == '\t') {
                    sb.append(' ');
                    pos++;
                    if (ch == '\n') {
                        line++;
                    }
                } else if (ch < ' ') {
                    throw error(pos, badCharacter(ch));
                } else {
                    sb.append(ch);
                    pos++;
                }
            }
            throw truncatedTag(element, tagAt);
        }

        /**
         * Strict UTF-8: bytes that are not UTF-8 would otherwise be read as U+FFFD and written back
         * so. Only text with some non-ASCII byte comes here; ASCII is copied as it is.
         */
        private String decode(byte[] b, int from, int length, int at) throws XmlParseException {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b, from, length)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw error(at, "bytes that are not UTF-8 text; save the file as UTF-8");
            }
        }

        private void checkLength(int length, String attr, String element, int at) throws XmlParseException {
            if (length > MAX_ATTRIBUTE_CHARS) {
                throw error(at, "attribute '" + attr + "' of <" + element + "> is " + length + " characters long:"
                        + " this attribute value is longer than " + MAX_ATTRIBUTE_CHARS + " characters, the limit;"
                        + " store large data outside the CIB");
            }
        }

        /** An end tag at {@code pos}; it must close {@code top}. */
        private XmlElement endTag(Open top) throws XmlParseException {
            int at = pos;
            pos += 2; // "</"
            String name;
            int length = top.name.length();
            if (top.nameAt >= 0 && sameBytes(top.nameAt, length) && pos + length < end
                    && (c[pos + length] == '>' || isWhitespace(c[pos + length]))) {
                pos += length;
                name = top.name;
            } else {
                name = name(AFTER_END_LT, null);
            }
            skipWhitespace();
            if (pos >= end) {
                throw truncated(top);
            }
            if (c[pos] != '>') {
                throw error(pos, "the end tag </" + name + " must end with '>'");
            }
            pos++;
            if (!name.equals(top.name)) {
                throw error(at, "</" + name + "> closes <" + top.name + "> (opened at line " + top.line
                        + "); close <" + top.name + "> first, or remove the stray </" + name + ">");
            }
            stack.remove(stack.size() - 1);
            return new XmlElement(top.name, top.attributes, takeKids(top), top.line);
        }

        /** A comment at {@code pos} ("<!--"); returns its text. */
        private String comment() throws XmlParseException {
            int at = pos;
            int start = pos + 4;
            int dashes = indexOf("--", start);
            if (dashes < 0) {
                throw error(at, "a comment <!-- is never closed with -->: was the file truncated?");
            }
            if (dashes + 2 >= end || c[dashes + 2] != '>') {
                throw error(dashes, "'--' inside a comment is not allowed in XML; end the comment with --> or"
                        + " remove the dashes");
            }
            pos = dashes + 3;
            line += lineEnds(start, dashes);
            for (int i = start; i < dashes; i++) {
                if (c[i] >= 0 && c[i] < ' ' && c[i] != '\t' && c[i] != '\n' && c[i] != '\r') {
                    throw error(i, badCharacter(c[i]));
                }
            }
            Bytes sb = new Bytes();
            appendNormalized(sb, start, dashes);
            return decode(sb.bytes(), 0, sb.length(), start);
        }

        /** A processing instruction or XML declaration at {@code pos}: skipped, a CIB carries nothing in them. */
        private void skipProcessingInstruction(boolean prolog) throws XmlParseException {
            int at = pos;
            int close = indexOf("?>", pos + 2);
            if (close < 0) {
                throw error(at, "'<?' is never closed with '?>': was the file truncated?");
            }
            if (!prolog && startsWith("<?xml") && close > pos + 5 && isWhitespace(c[pos + 5])) {
                throw error(at, "an XML declaration <?xml ...?> after the root element; it may only be the first line");
            }
            line += lineEnds(pos, close);
            pos = close + 2;
        }

        /** An entity or character reference at {@code pos} ('&'), appended to {@code sb}. */
        private void entity(Bytes sb, String where) throws XmlParseException {
            int at = pos;
            int semi = -1;
            for (int i = pos + 1; i < end && i < pos + 12; i++) {
                if (c[i] == ';') {
                    semi = i;
                    break;
                }
            }
            if (semi < 0) {
                throw error(at, "'&' in " + where + " starts no entity: write &amp; for a literal '&'");
            }
            String ref = decode(c, pos + 1, semi - pos - 1, pos);
            pos = semi + 1;
            switch (ref) {
                case "lt": sb.append('<'); return;
                case "gt": sb.append('>'); return;
                case "amp": sb.append('&'); return;
                case "quot": sb.append('"'); return;
                case "apos": sb.append('\''); return;
                default: break;
            }
            if (ref.startsWith("#")) {
                int code = -1;
                try {
                    code = ref.startsWith("#x") ? Integer.parseInt(ref.substring(2), 16) : Integer.parseInt(ref.substring(1));
                } catch (NumberFormatException e) {
                    code = -1;
                }
                boolean legal = code == 0x9 || code == 0xA || code == 0xD || (code >= 0x20 && code <= 0xD7FF)
                        || (code >= 0xE000 && code <= 0xFFFD) || (code >= 0x10000 && code <= 0x10FFFF);
                if (!legal) {
                    throw error(at, "'&" + ref + ";' in " + where + " is not a legal XML character");
                }
                sb.appendCodePoint(code);
                return;
            }
            throw error(at, "undefined entity '&" + ref + ";' in " + where + "; XML knows only &lt; &gt; &amp;"
                    + " &quot; &apos; and numeric references such as &#160;");
        }

        private static final int AFTER_LT = 0;
        private static final int ATTRIBUTE = 1;
        private static final int AFTER_END_LT = 2;

        /** What was expected, for an error only: built per attribute it was a third of parsing. */
        private static String expected(int what, String element) {
            switch (what) {
                case AFTER_LT: return "an element name after '<' (a literal '<' in text is written &lt;)";
                case ATTRIBUTE: return "an attribute name in <" + element + ">";
                default: return "an element name after '</'";
            }
        }

        /** A name (element or attribute) at {@code pos}; {@code what} and {@code element} say what for errors. */
        private String name(int what, String element) throws XmlParseException {
            int start = pos;
            if (pos >= end) {
                throw error(pos, "the file ends where " + expected(what, element) + " should be: was it truncated?");
            }
            int first = c[pos] & 0xFF;
            if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_' || first == ':'
                    || first >= 0x80)) {
                throw error(pos, first < ' ' ? badCharacter(first)
                        : "expected " + expected(what, element) + ", found '" + (char) first + "'");
            }
            // Hot loops keep the position in a local: a one-shot run is compiled by C1 only, which
            // would otherwise load and store the field on every character.
            byte[] cs = c;
            int p = pos + 1;
            int limit = end;
            while (p < limit) {
                int ch = cs[p];
                if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-'
                        || ch == '_' || ch == '.' || ch == ':' || ch < 0) {
                    p++;
                } else {
                    break;
                }
            }
            pos = p;
            String s = names.get(c, start, p - start, true);
            return s != null ? s : decode(c, start, p - start, start);
        }

        private boolean skipWhitespace() {
            byte[] cs = c;
            int start = pos;
            int p = start;
            int limit = end;
            int lines = 0;
            while (p < limit) {
                byte ch = cs[p];
                if (ch == ' ' || ch == '\t') {
                    p++;
                } else if (ch == '\n') {
                    lines++;
                    p++;
                } else if (ch == '\r') {
                    // CR LF is one line end, and so is a lone CR
                    if (p + 1 >= limit || cs[p + 1] != '\n') {
                        lines++;
                    }
                    p++;
                } else {
                    break;
                }
            }
            line += lines;
            pos = p;
            return p > start;
        }

        /**
         * Reading a window: the line ends in the document's first {@code to} bytes, read into the
         * window a window at a time (a CR that ends a step is left for the next, where its LF may be).
         */
        private int lineEndsInFile(int to) {
            int lines = 0;
            int at = 0;
            try {
                while (at < to) {
                    int n = 0;
                    int want = Math.min(c.length, to - at);
                    while (n < want) {
                        int got = file.read(java.nio.ByteBuffer.wrap(c, n, want - n), (long) at + n);
                        if (got < 0) {
                            break;
                        }
                        n += got;
                    }
                    if (n == 0) {
                        break;   // the file shrank: its lines will not match, and the split is not taken
                    }
                    int upto = n > 1 && c[n - 1] == '\r' && at + n < to ? n - 1 : n;
                    end = n;
                    lines += lineEnds(0, upto);
                    at += upto;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            end = 0;
            return lines;
        }

        /** The line ends in c[from, to), as {@link #lineOf} counts them. */
        private int lineEnds(int from, int to) {
            // the split thread counts the lines of the whole first part (~80 MB of a full-history
            // CIB) before its own: one comparison for most bytes, and locals, as C1 keeps fields in memory
            byte[] cs = c;
            int limit = end;
            int lines = 0;
            for (int i = from; i < to; i++) {
                byte ch = cs[i];
                if (ch <= '\r' && (ch == '\n' || (ch == '\r' && (i + 1 >= limit || cs[i + 1] != '\n')))) {
                    lines++;
                }
            }
            return lines;
        }

        private boolean startsWith(String s) {
            if (pos + s.length() > end) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if (c[pos + i] != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private int indexOf(String s, int from) {
            char first = s.charAt(0);
            outer:
            for (int i = from; i + s.length() <= end; i++) {
                if (c[i] != first) {
                    continue;
                }
                for (int k = 1; k < s.length(); k++) {
                    if (c[i + k] != s.charAt(k)) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        /** Appends c[from, to) with CR LF and lone CR made LF. */
        private void appendNormalized(Bytes sb, int from, int to) {
            for (int i = from; i < to; i++) {
                byte ch = c[i];
                if (ch == '\r') {
                    sb.append('\n');
                    if (i + 1 < to && c[i + 1] == '\n') {
                        i++;
                    }
                } else {
                    sb.append(ch & 0xFF);
                }
            }
        }

        /** The line of position {@code p}, counting on from the last position asked about (positions only grow). */
        private int lineOf(int p) {
            if (p < countedTo) {
                countedTo = 0;
                countedLines = 1;
            }
            byte[] cs = c;
            int lines = countedLines;
            for (int i = countedTo; i < p; i++) {
                byte ch = cs[i];
                if (ch == '\n' || (ch == '\r' && (i + 1 >= end || cs[i + 1] != '\n'))) {
                    lines++;
                }
            }
            countedTo = p;
            countedLines = lines;
            return lines;
        }

        /** Characters, not bytes: the continuation bytes of a multi-byte character are not counted. */
        private int columnOf(int p) {
            int column = 1;
            for (int i = p; i > 0 && c[i - 1] != '\n' && c[i - 1] != '\r'; i--) {
                if ((c[i - 1] & 0xC0) != 0x80) {
                    column++;
                }
            }
            return column;
        }

        private XmlParseException error(int at, String problem) {
            int p = Math.min(at, end);
            return new XmlParseException(source, lineOf(p), columnOf(p), "malformed XML: " + problem);
        }

        private XmlParseException truncated(Open open) {
            return error(end, "the file ends inside <" + open.name + "> (opened at line " + open.line
                    + "): was it truncated?");
        }

        private XmlParseException truncatedTag(String element, int at) {
            return error(end, "the file ends inside the tag <" + element + " (line " + lineOf(at)
                    + "): was it truncated?");
        }

        private static String badCharacter(int ch) {
            return String.format("character U+%04X is not allowed in XML (is this a binary file?)", ch);
        }

        private static boolean isWhitespace(int ch) {
            return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
        }
    }

    /** A growing run of UTF-8 bytes: text and values with entities or line ends to rewrite. */
    private static final class Bytes {
        private byte[] b = new byte[64];
        private int n;

        void clear() {
            n = 0;
        }

        int length() {
            return n;
        }

        byte[] bytes() {
            return b;
        }

        void append(int oneByte) {
            if (n == b.length) {
                b = Arrays.copyOf(b, n * 2);
            }
            b[n++] = (byte) oneByte;
        }

        void append(byte[] from, int start, int length) {
            if (n + length > b.length) {
                b = Arrays.copyOf(b, Math.max(n * 2, n + length));
            }
            System.arraycopy(from, start, b, n, length);
            n += length;
        }

        /** A character reference: the code point in UTF-8. */
        void appendCodePoint(int cp) {
            if (cp < 0x80) {
                append(cp);
            } else if (cp < 0x800) {
                append(0xC0 | (cp >> 6));
                append(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                append(0xE0 | (cp >> 12));
                append(0x80 | ((cp >> 6) & 0x3F));
                append(0x80 | (cp & 0x3F));
            } else {
                append(0xF0 | (cp >> 18));
                append(0x80 | ((cp >> 12) & 0x3F));
                append(0x80 | ((cp >> 6) & 0x3F));
                append(0x80 | (cp & 0x3F));
            }
        }

    }

    /**
     * Names and short values, one String each: a big CIB repeats the same element and attribute
     * names and short values (class, provider, type, operation names, intervals, rc codes) tens of
     * thousands of times; sharing them saves megabytes and the allocation of each copy. An open
     * addressing table keyed by the characters, so a hit allocates nothing.
     *
     * <p>Each entry's bytes are copied, one after the other, into the table's own pool: a reading
     * that keeps only a window of the document ({@link #parseFile}) can still compare with them, and
     * a look-up compares with bytes near each other rather than anywhere in a 183 MB document. The
     * table starts small and doubles, since a big CIB
     * has tens of thousands of distinct short strings, not one per 32 bytes as first assumed: a
     * table sized for the document (a million slots for 183 MB) made nearly every look-up a cache miss.
     */
    private static final class Names {
        /** Ints per slot in {@link #meta}: hash, where the bytes are in {@link #pool}, (length + 1) * 2 + interned (0: empty), entry. */
        private static final int STRIDE = 4;
        /** Ints per entry in {@link #entries}: hash, where the bytes are in {@link #pool}, length. */
        private static final int ENTRY = 3;
        /** Every entry's bytes, one after the other. */
        private byte[] pool = new byte[1 << 14];
        private int pooled;
        private String[] table;
        /**
         * Each slot's hash, position, length and whether it is interned, side by side: a look-up of
         * a big CIB's tens of thousands of ids misses the cache; in separate arrays (and with the
         * length read from the String) that was five misses a look-up, here one, plus the
         * document's bytes and, on a hit, the String.
         */
        private int[] meta;
        private int shift;
        private int size;
        /**
         * The entries in the order they were added (hash, position, length; and their Strings): the
         * order the first node's history named them in. Every node's history names its resources in
         * the same order, so a value is looked for first right after the entry the last value was
         * ({@link #lastEntry}): a walk along these arrays, which the processor reads ahead, instead of
         * a jump into the table and the pool (two cache misses a value: with full probe history, 1.6
         * million look-ups, over a quarter of reading the file went there).
         */
        private int[] entries = new int[ENTRY << 10];
        private String[] entryStrings = new String[1 << 10];
        /** The entry the last value looked up was, or -1. */
        private int lastEntry = -1;

        Names() {
            int bits = 10;
            table = new String[1 << bits];
            meta = new int[STRIDE << bits];
            shift = 32 - bits;
        }

        /**
         * The shared String of c[from, from + length), or null when those bytes are not
         * ASCII. A name ({@code name} true) seen for the first time is interned, so it is the very
         * object a Java literal is ({@link AttributeMap#get} compares references first).
         */
        String get(byte[] c, int from, int length, boolean name) {
            int high = 0;
            for (int i = from; i < from + length; i++) {
                high |= c[i];
            }
            if (high < 0) {
                return null;   // not ASCII: rare, decoded by the caller and not shared
            }
            return get(c, from, length, hash(c, from, length), name);
        }

        /** The hash {@link #get(byte[], int, int, int, boolean)} takes: String's, of the bytes as signed values. */
        static int hash(byte[] c, int from, int length) {
            int h = 0;
            for (int i = from; i < from + length; i++) {
                h = 31 * h + c[i];
            }
            return h;
        }

        /**
         * {@link #get(byte[], int, int, boolean)} of ASCII bytes whose {@link #hash} the caller took while it
         * scanned them anyway (an attribute value's end is looked for byte by byte: a second pass over the
         * bytes of every short value, ~5 a history entry, was a fifth of reading a full probe history).
         */
        String get(byte[] c, int from, int length, int h, boolean name) {
            if (!name) {
                // the entry after the last value's, if it is this one (see entries)
                int next = lastEntry + 1;
                if (next < size) {
                    int e = next * ENTRY;
                    int[] es = entries;
                    if (es[e] == h && es[e + 2] == length && same(es[e + 1], c, from, length)) {
                        lastEntry = next;
                        return entryStrings[next];
                    }
                }
            }
            int mask = table.length - 1;
            int[] m = meta;
            for (int i = slot(h); ; i = (i + 1) & mask) {
                int at = i * STRIDE;
                int lengthAndInterned = m[at + 2];
                if (lengthAndInterned == 0) {
                    String s = new String(c, from, length, StandardCharsets.ISO_8859_1);
                    if (name) {
                        s = s.intern();
                    } else {
                        lastEntry = size;
                    }
                    add(i, s, c, from, h, length, name);
                    return s;
                }
                if (m[at] == h && lengthAndInterned >>> 1 == length + 1 && same(m[at + 1], c, from, length)) {
                    String s = table[i];
                    if (name && (lengthAndInterned & 1) == 0) {
                        // first read as a value ("id" as an id, say): from now on the interned one
                        s = s.intern();
                        table[i] = s;
                        entryStrings[m[at + 3]] = s;
                        m[at + 2] = lengthAndInterned | 1;
                    }
                    if (!name) {
                        lastEntry = m[at + 3];
                    }
                    return s;
                }
            }
        }

        /** Whether pool[a, a + length) holds the bytes of c[b, b + length). */
        private boolean same(int a, byte[] c, int b, int length) {
            // (the JDK's ranged compare goes 8 bytes at a time, where a byte loop compiled by C1 goes one by one)
            return Arrays.equals(pool, a, a + length, c, b, b + length);
        }

        private void add(int slot, String s, byte[] c, int from, int h, int length, boolean isInterned) {
            if (pooled + length > pool.length) {
                pool = Arrays.copyOf(pool, Math.max(pool.length * 2, pooled + length));
            }
            System.arraycopy(c, from, pool, pooled, length);
            table[slot] = s;
            int b = slot * STRIDE;
            meta[b] = h;
            meta[b + 1] = pooled;
            meta[b + 2] = (length + 1) << 1 | (isInterned ? 1 : 0);
            meta[b + 3] = size;
            if (size == entryStrings.length) {
                entryStrings = Arrays.copyOf(entryStrings, size * 2);
                entries = Arrays.copyOf(entries, size * 2 * ENTRY);
            }
            entryStrings[size] = s;
            entries[size * ENTRY] = h;
            entries[size * ENTRY + 1] = pooled;
            entries[size * ENTRY + 2] = length;
            pooled += length;
            if (++size * 2 > table.length) {
                String[] oldTable = table;
                int[] oldMeta = meta;
                table = new String[oldTable.length * 2];
                meta = new int[table.length * STRIDE];
                shift--;
                int mask = table.length - 1;
                for (int j = 0; j < oldTable.length; j++) {
                    if (oldTable[j] != null) {
                        int i = slot(oldMeta[j * STRIDE]);
                        while (table[i] != null) {
                            i = (i + 1) & mask;
                        }
                        table[i] = oldTable[j];
                        System.arraycopy(oldMeta, j * STRIDE, meta, i * STRIDE, STRIDE);
                    }
                }
            }
        }

        /**
         * Fibonacci hashing: the top bits of h times 2^32/phi. Ids such as rsc1234 have nearly
         * consecutive String hashes; taken as they are, linear probing made one long run of them.
         */
        private int slot(int h) {
            return (h * 0x9E3779B9) >>> shift;
        }
    }
}
