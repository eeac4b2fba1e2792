package dev.preempt.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Strip-mines counted loops of javac's shape, {@code for (int i = s; i < n; i++)} with {@code n} a local,
 * a constant or {@code a.length}, neither written in the body, and no inner loop: the loop runs in
 * chunks of up to K iterations with no tick inside (C2 keeps it a counted loop and can vectorise it),
 * and one tick after each chunk, of weight 1 + iterations / 64. Adds two locals and a branch target, so
 * the class's frames are recomputed. Immutable and thread-safe: the loop shape is all it looks at.
 */
final class StripMiner {

    /**
     * A chunk of a strip-mined loop costs 1 + iterations / 64 reductions. A reduction is meant to stand
     * for a few nanoseconds of work (about a call); a vectorised iteration is a small fraction of one.
     * Charging one per iteration made a 4000-reduction slice last ~0.3 us on such a loop.
     */
    static final int ITERATIONS_PER_REDUCTION_SHIFT = 6;

    /** K: the most iterations of a chunk. */
    private final int stripMine;

    StripMiner(int stripMine) {
        this.stripMine = stripMine;
    }

    /**
     * Recognises {@code H: iload i; <bound>; if_icmpge X; BODY; iinc i 1; goto H; X:} and rewrites it to
     * <pre>
     * H: iload i; &lt;bound&gt;; if_icmpge X              ; the original test, once per chunk
     *    start = i; lim = Math.min(&lt;bound&gt;, i + K)
     * B: BODY; iinc i 1
     *    iload i; iload lim; if_icmplt B           ; the inner counted loop: no tick
     *    Reductions.tick(1 + (i - start) / 64); goto H
     * X:
     * </pre>
     * Only when the bound is pure and loop-invariant, i is written only by the final iinc, nothing but
     * the back-edge jumps to H, nothing outside jumps into the body, and the body has no inner loop.
     */
    boolean tryStripMine(MethodNode m, JumpInsnNode back, Map<LabelNode, Integer> jumpsInto, TickEmitter ticks) {
        Map<LabelNode, Integer> index = Jumps.positions(m.instructions); // now: earlier loops may have grown the code
        LabelNode header = back.label;
        AbstractInsnNode a = real(header);
        if (!(a instanceof VarInsnNode loadI) || a.getOpcode() != Opcodes.ILOAD) return false;
        int iVar = loadI.var;
        AbstractInsnNode b1 = real(a.getNext());
        if (b1 == null) return false;
        List<AbstractInsnNode> bound = new ArrayList<>();
        int boundLocal = -1;
        int boundArray = -1;
        AbstractInsnNode test;
        if (b1.getOpcode() == Opcodes.ILOAD) {
            boundLocal = ((VarInsnNode) b1).var;
            if (boundLocal == iVar) return false;
            bound.add(b1);
            test = real(b1.getNext());
        } else if (isIntConstant(b1)) {
            bound.add(b1);
            test = real(b1.getNext());
        } else if (b1.getOpcode() == Opcodes.ALOAD) {
            AbstractInsnNode len = real(b1.getNext());
            if (len == null || len.getOpcode() != Opcodes.ARRAYLENGTH) return false;
            boundArray = ((VarInsnNode) b1).var;
            bound.add(b1);
            bound.add(len);
            test = real(len.getNext());
        } else {
            return false;
        }
        if (!(test instanceof JumpInsnNode exitJump) || test.getOpcode() != Opcodes.IF_ICMPGE) return false;
        int backAt = indexOf(m, back);
        Integer exitAt = index.get(exitJump.label);
        if (exitAt == null || exitAt <= backAt) return false; // the exit must follow the loop
        AbstractInsnNode inc = realBefore(back.getPrevious());
        if (!(inc instanceof IincInsnNode iinc) || iinc.var != iVar || iinc.incr != 1) return false;
        if (jumpsInto.getOrDefault(header, 0) != 1) return false; // only the back-edge jumps to the header

        // Check the body: between the test and the iinc.
        int bodyStart = indexOf(m, test) + 1;
        int bodyEnd = indexOf(m, inc); // exclusive
        int at = bodyStart;
        for (AbstractInsnNode n = test.getNext(); n != inc; n = n.getNext(), at++) {
            if (n instanceof VarInsnNode v && isStore(v.getOpcode())
                    && (v.var == iVar || v.var == boundLocal || v.var == boundArray)) {
                return false;
            }
            if (n instanceof IincInsnNode ii && (ii.var == iVar || ii.var == boundLocal)) return false;
            if (Jumps.isBackward(n, at, index)) return false; // an inner loop: leave this one to per-iteration ticks
            if (n.getOpcode() == Opcodes.JSR || n.getOpcode() == Opcodes.RET) return false;
        }
        // Nothing outside [test, back] may jump into the body.
        int pos = 0;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext(), pos++) {
            if (pos >= bodyStart - 1 && pos <= backAt) continue;
            for (LabelNode target : Jumps.targets(n)) {
                int t = index.get(target);
                if (t >= bodyStart && t < bodyEnd) return false;
            }
        }
        for (TryCatchBlockNode t : m.tryCatchBlocks) {
            int h = index.get(t.handler);
            int s = index.get(t.start);
            if (h >= bodyStart && h < bodyEnd && !(s >= bodyStart && s < bodyEnd)) return false;
        }

        // Rewrite.
        int start = m.maxLocals;
        int lim = m.maxLocals + 1;
        m.maxLocals += 2;
        InsnList chunk = new InsnList();
        chunk.add(new VarInsnNode(Opcodes.ILOAD, iVar));
        chunk.add(new VarInsnNode(Opcodes.ISTORE, start));
        for (AbstractInsnNode n : bound) chunk.add(n.clone(null));
        chunk.add(new VarInsnNode(Opcodes.ILOAD, iVar));
        chunk.add(new LdcInsnNode(stripMine));
        chunk.add(new InsnNode(Opcodes.IADD));
        chunk.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Math", "min", "(II)I", false));
        chunk.add(new VarInsnNode(Opcodes.ISTORE, lim));
        LabelNode bodyLabel = new LabelNode();
        chunk.add(bodyLabel);
        m.instructions.insert(test, chunk);

        InsnList tail = new InsnList();
        tail.add(new VarInsnNode(Opcodes.ILOAD, iVar));
        tail.add(new VarInsnNode(Opcodes.ILOAD, lim));
        tail.add(new JumpInsnNode(Opcodes.IF_ICMPLT, bodyLabel));
        tail.add(ticks.afterChunk(iVar, start, ITERATIONS_PER_REDUCTION_SHIFT));
        m.instructions.insertBefore(back, tail);
        return true;
    }

    private static int indexOf(MethodNode m, AbstractInsnNode n) {
        return m.instructions.indexOf(n);
    }

    private static boolean isStore(int op) {
        return op >= Opcodes.ISTORE && op <= Opcodes.ASTORE;
    }

    private static boolean isIntConstant(AbstractInsnNode n) {
        int op = n.getOpcode();
        return (op >= Opcodes.ICONST_M1 && op <= Opcodes.ICONST_5)
                || (n instanceof IntInsnNode && (op == Opcodes.BIPUSH || op == Opcodes.SIPUSH))
                || (n instanceof LdcInsnNode l && l.cst instanceof Integer);
    }

    /** The first real instruction at or after {@code n} (skipping labels, line numbers and frames). */
    private static AbstractInsnNode real(AbstractInsnNode n) {
        while (n != null && n.getOpcode() < 0) n = n.getNext();
        return n;
    }

    private static AbstractInsnNode realBefore(AbstractInsnNode n) {
        while (n != null && n.getOpcode() < 0) n = n.getPrevious();
        return n;
    }
}
