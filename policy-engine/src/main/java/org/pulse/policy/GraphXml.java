package org.pulse.policy;

import java.util.HashMap;
import java.util.Map;

/** Writes a transition like Pacemaker's graph: one synapse per action, its inputs as triggers. */
final class GraphXml {
    private GraphXml() {
    }

    static String render(Transition t) {
        Map<Integer, Action> byId = new HashMap<>();
        for (Action a : t.actions()) {
            byId.put(a.id(), a);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("<transition_graph transition_id=\"0\">\n");
        int syn = 0;
        for (Action a : t.actions()) {
            sb.append("  <synapse id=\"").append(syn++).append("\">\n    <action_set>\n");
            action(sb, a, "      ");
            sb.append("    </action_set>\n    <inputs>\n");
            for (int in : a.inputs()) {
                Action f = byId.get(in);
                if (f == null) {
                    continue;
                }
                sb.append("      <trigger>\n");
                action(sb, f, "        ");
                sb.append("      </trigger>\n");
            }
            sb.append("    </inputs>\n  </synapse>\n");
        }
        sb.append("</transition_graph>\n");
        return sb.toString();
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

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
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
