package org.pulse.shell.render;

import java.util.ArrayList;
import java.util.List;

/** A line diff (longest common subsequence): unchanged lines are left out, removed ones start with "- ", added with "+ ". */
public final class LineDiff {
    private LineDiff() {
    }

    public static String diff(String before, String after) {
        List<String> a = objects(before);
        List<String> b = objects(after);
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                i++;
                j++;
            } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                prefix(sb, "+ ", b.get(j++));
            } else {
                prefix(sb, "- ", a.get(i++));
            }
        }
        return sb.toString();
    }

    /** Each object (a line and its continuation lines) is one unit, so a changed object shows whole. */
    private static List<String> objects(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            cur.append(line).append('\n');
            if (!line.endsWith("\\")) {
                out.add(cur.toString());
                cur.setLength(0);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    private static void prefix(StringBuilder sb, String p, String block) {
        for (String line : block.split("\n")) {
            sb.append(p).append(line).append('\n');
        }
    }
}
