package org.pulse.policy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Writes a transition like Pacemaker's graph: one synapse per action, its inputs as triggers. */
final class GraphXml {
    private GraphXml() {
    }

    static String render(Transition t) {
        StringBuilder sb = new StringBuilder(t.actions().size() * 600);
        write(t, sb, chunk -> { });
        return sb.toString();
    }

    /**
     * Streams the graph to {@code out} in UTF-8, 64 KiB at a time: an 11 MB graph (32x10,000)
     * built as one String and then encoded touched some 40 MB of fresh memory, and in a one-shot
     * run the page faults alone cost tens of milliseconds.
     */
    static void write(Transition t, OutputStream out) throws IOException {
        StringBuilder chunk = new StringBuilder(CHUNK_CHARS + 4096);
        IOException[] failed = new IOException[1];
        write(t, chunk, full -> {
            try {
                out.write(full.toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                failed[0] = e;
            }
            full.setLength(0);
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static final int CHUNK_CHARS = 64 * 1024;

    /**
     * The graph into {@code sb}, handing it to {@code flush} whenever it holds more than
     * {@link #CHUNK_CHARS}. An action is written once as its synapse and again as a trigger of
     * every action that waits for it; the trigger form is rendered once and then copied.
     */
    private static void write(Transition t, StringBuilder sb, java.util.function.Consumer<StringBuilder> flush) {
        List<Action> actions = t.actions();
        int maxId = -1;
        for (Action a : actions) {
            maxId = Math.max(maxId, a.id());
        }
        Action[] byId = new Action[maxId + 1];
        for (Action a : actions) {
            byId[a.id()] = a;
        }
        String[] asTrigger = new String[maxId + 1];
        StringBuilder scratch = new StringBuilder(512);
        sb.append("<transition_graph transition_id=\"0\">\n");
        int syn = 0;
        for (Action a : actions) {
            sb.append("  <synapse id=\"").append(syn++).append("\">\n    <action_set>\n");
            action(sb, a, "      ");
            sb.append("    </action_set>\n    <inputs>\n");
            for (int in : a.inputs()) {
                Action f = in >= 0 && in < byId.length ? byId[in] : null;
                if (f == null) {
                    continue;
                }
                String trigger = asTrigger[in];
                if (trigger == null) {
                    scratch.setLength(0);
                    action(scratch, f, "        ");
                    trigger = scratch.toString();
                    asTrigger[in] = trigger;
                }
                sb.append("      <trigger>\n").append(trigger).append("      </trigger>\n");
            }
            sb.append("    </inputs>\n  </synapse>\n");
            if (sb.length() > CHUNK_CHARS) {
                flush.accept(sb);
            }
        }
        sb.append("</transition_graph>\n");
    }

    private static void action(StringBuilder sb, Action a, String ind) {
        String tag = a.kind();
        sb.append(ind).append('<').append(tag).append(" id=\"").append(a.id()).append("\" operation=\"")
                .append(esc(a.operation())).append("\" operation_key=\"").append(esc(a.key())).append('"');
        if (a.node() != null) {
            sb.append(" on_node=\"").append(esc(a.node())).append('"');
        }
        sb.append(">\n");
        if (a.resource() != null) {
            sb.append(ind).append("  <primitive id=\"").append(esc(a.resource())).append("\"/>\n");
        }
        sb.append(ind).append("  <attributes");
        for (Map.Entry<String, String> e : a.params().entrySet()) {
            sb.append(' ').append(e.getKey()).append("=\"").append(esc(e.getValue())).append('"');
        }
        sb.append("/>\n");
        sb.append(ind).append("</").append(tag).append(">\n");
    }

    /** The value with XML's special characters escaped; the value itself (no copy) when it has none. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch == '&' || ch == '<' || ch == '>' || ch == '"') {
                break;
            }
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&': b.append("&amp;"); break;
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '"': b.append("&quot;"); break;
                default: b.append(ch);
            }
        }
        return b.toString();
    }
}
