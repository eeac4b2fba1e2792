package dev.preempt.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * Where a method's code jumps: the one place that knows which instructions branch (jumps and both kinds
 * of switch) and to which labels. Static helpers over an ASM {@link MethodNode}; no state.
 */
final class Jumps {

    private Jumps() {}

    /**
     * The labels {@code n} may branch to: none for an instruction that does not branch. Asked of every
     * instruction of every method at load time, so the common answers allocate nothing (a list per
     * instruction was a sixth of the rewriting's samples in a start-up profile).
     */
    static List<LabelNode> targets(AbstractInsnNode n) {
        if (n instanceof JumpInsnNode j) return List.of(j.label);
        if (!(n instanceof TableSwitchInsnNode) && !(n instanceof LookupSwitchInsnNode)) return List.of();
        List<LabelNode> out = new ArrayList<>();
        if (n instanceof TableSwitchInsnNode t) {
            out.add(t.dflt);
            out.addAll(t.labels);
        }
        if (n instanceof LookupSwitchInsnNode t) {
            out.add(t.dflt);
            out.addAll(t.labels);
        }
        return out;
    }

    /** Each label's position in {@code code} now (positions count every node, labels included). */
    static Map<LabelNode, Integer> positions(InsnList code) {
        Map<LabelNode, Integer> index = new IdentityHashMap<>();
        int i = 0;
        for (AbstractInsnNode n = code.getFirst(); n != null; n = n.getNext(), i++) {
            if (n instanceof LabelNode l) index.put(l, i);
        }
        return index;
    }

    /** Whether {@code n}, at position {@code at}, may branch backwards (a loop's back-edge). */
    static boolean isBackward(AbstractInsnNode n, int at, Map<LabelNode, Integer> index) {
        for (LabelNode l : targets(n)) {
            if (index.get(l) <= at) return true;
        }
        return false;
    }

    /** How many branches and exception handlers lead to each label of {@code m}. */
    static Map<LabelNode, Integer> countTargets(MethodNode m) {
        Map<LabelNode, Integer> c = new HashMap<>();
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            for (LabelNode l : targets(n)) c.merge(l, 1, Integer::sum);
        }
        for (TryCatchBlockNode t : m.tryCatchBlocks) c.merge(t.handler, 1, Integer::sum);
        return c;
    }
}
