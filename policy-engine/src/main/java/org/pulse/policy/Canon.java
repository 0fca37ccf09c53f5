package org.pulse.policy;

import java.util.ArrayList;
import java.util.List;

/** The placement half of the canonical form (naming rules of ../shared/conformance/README.md). */
final class Canon {
    private Canon() {
    }

    static List<String> placement(Cluster c, List<NodeSummary> nodes, List<Placement> after) {
        List<String> out = new ArrayList<>();
        for (NodeSummary n : nodes) {
            SNode sn = c.node(n.name());
            if (sn != null && sn.isGuest() && "offline".equals(n.stateAfter())) {
                continue;   // a guest that is down is not listed, as Pacemaker's status leaves it out
            }
            out.add("node " + n.name() + " " + n.stateAfter());
        }
        java.util.Map<String, Placement> byId = new java.util.HashMap<>();
        for (Placement pl : after) {
            // an extra copy of a clone instance shares its name: the configured instance wins
            Placement had = byId.get(pl.resource());
            if (had == null || had.orphaned()) {
                byId.put(pl.resource(), pl);
            }
        }
        java.util.Set<String> onlineAfter = new java.util.HashSet<>();
        for (SNode n : c.nodes()) {
            onlineAfter.add(n.name);
        }
        for (NodeSummary n : nodes) {
            if ("offline".equals(n.stateAfter()) || !c.node(n.name()).online) {
                onlineAfter.remove(n.name());
            }
        }
        for (Rsc top : c.topLevel()) {
            if (top.extraCopy) {
                continue;   // listed with its clone
            }
            if (top.meta.containsKey(Bundles.BUNDLE_META) || Bundles.childOf(top) != null) {
                if (Bundles.isContainer(top)) {
                    Bundles.replicaLine(c, top, byId, out);
                }
                continue;   // a bundle is listed by replica (see Bundles.replicaLine)
            }
            if (top.remoteNode != null && top.remoteNode.isGuest()) {
                continue;   // a guest's implicit connection is not listed (its actions are)
            }
            if (top.kind != Rsc.Kind.PRIMITIVE && activeOnlyUnseen(top, byId, onlineAfter)) {
                continue;
            }
            if (top.kind == Rsc.Kind.CLONE && !top.uniqueClone) {
                anonymousClone(top, byId, out);
                continue;
            }
            for (Rsc r : top.primitives()) {
                Placement pl = byId.get(r.id);
                if (pl != null) {
                    lines(pl, r.id, out, true);
                }
            }
        }
        return out;
    }

    /**
     * Pacemaker's status lists a group or clone only when it is running somewhere, and a member
     * that cannot be managed (unmanaged, or blocked by a stop nobody can fix) counts as running
     * for its parents only on a node that is up: a clone whose one active copy sits blocked on a
     * lost node is left out of the listing altogether, while its members still count as active.
     */
    private static boolean activeOnlyUnseen(Rsc top, java.util.Map<String, Placement> byId, java.util.Set<String> onlineAfter) {
        boolean active = false;
        for (Rsc r : top.primitives()) {
            Placement pl = byId.get(r.id);
            if (pl == null || pl.nodes().isEmpty()) {
                continue;
            }
            active = true;
            boolean managed = r.managed && !r.blocked || r.frozenByTicket;
            for (String n : pl.nodes()) {
                if (managed || onlineAfter.contains(n)) {
                    return false;
                }
            }
        }
        return active;
    }

    private static void lines(Placement pl, String name, List<String> out, boolean listStopped) {
        if (pl.nodes().isEmpty()) {
            if (listStopped && !pl.orphaned()) {
                out.add("stopped " + name);
            }
            return;
        }
        StringBuilder fl = new StringBuilder();
        String role = pl.role();
        if ("Promoted".equals(role)) {
            fl.append(" promoted");
        } else if ("Unpromoted".equals(role)) {
            fl.append(" unpromoted");
        }
        if (pl.failed()) {
            fl.append(" failed");
        }
        if (pl.unmanaged()) {
            fl.append(" unmanaged");
        }
        if (pl.blocked()) {
            fl.append(" blocked");
        }
        if (pl.orphaned()) {
            fl.append(" orphaned");
        }
        for (String n : pl.nodes()) {
            out.add("placed " + name + " " + n + fl);
        }
    }

    private static void anonymousClone(Rsc clone, java.util.Map<String, Placement> byId, List<String> out) {
        List<String> acc = new ArrayList<>();
        String childBase = null;
        for (Rsc inst : clone.children) {
            String instBase = base(inst.id);
            if (childBase == null) {
                childBase = instBase;
            }
            if (inst.kind == Rsc.Kind.GROUP) {
                List<Placement> ms = new ArrayList<>();
                for (Rsc m : inst.children) {
                    Placement pl = byId.get(m.id);
                    if (pl != null) {
                        ms.add(pl);
                    }
                }
                String node = null;
                String role = null;
                boolean collapsible = !ms.isEmpty();
                for (Placement pl : ms) {
                    if (pl.nodes().size() != 1 || pl.failed() || pl.unmanaged() || pl.blocked()) {
                        collapsible = false;
                        break;
                    }
                    if (node == null) {
                        node = pl.nodes().get(0);
                        role = pl.role();
                    } else if (!node.equals(pl.nodes().get(0)) || !role.equals(pl.role())) {
                        collapsible = false;
                        break;
                    }
                }
                if (collapsible) {
                    String suffix = "Promoted".equals(role) ? " promoted" : "Unpromoted".equals(role) ? " unpromoted" : "";
                    acc.add("placed " + instBase + " " + node + suffix);
                } else {
                    for (int i = 0; i < ms.size(); i++) {
                        lines(ms.get(i), base(inst.children.get(i).id), acc, false);
                    }
                }
            } else {
                Placement pl = byId.get(inst.id);
                if (pl != null) {
                    lines(pl, instBase, acc, false);
                }
            }
        }
        if (acc.isEmpty()) {
            out.add("stopped " + (childBase == null ? clone.id : childBase));
        } else {
            // the state after is read back from the status, which keeps one history entry per
            // anonymous resource and node: two instances on one node (a cloned group's instance
            // moved where another already runs) show as one; where one of them is a failed copy
            // left blocked there and the other starts, the start is that entry's last result
            java.util.LinkedHashMap<String, String> perNode = new java.util.LinkedHashMap<>();
            for (String line : acc) {
                String[] f = line.split(" ", 4);
                String key = f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : line;
                String had = perNode.get(key);
                if (had == null || (had.contains(" failed") && !line.contains(" failed"))) {
                    perNode.put(key, line);
                }
            }
            out.addAll(perNode.values());
        }
    }

    static String base(String id) {
        int c = id.lastIndexOf(':');
        if (c > 0 && id.substring(c + 1).chars().allMatch(Character::isDigit)) {
            return id.substring(0, c);
        }
        return id;
    }
}
