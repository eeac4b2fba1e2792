package dev.preempt.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
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
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Makes one method spend reductions: a tick at entry and at every loop back-edge (any backward jump,
 * switches included), so that a process running it yields when its budget runs out.
 *
 * <ul>
 *   <li>A method that cannot run long (no call, no backward jump) gets no tick at all.</li>
 *   <li>A counted loop of javac's shape, {@code for (int i = s; i < n; i++)} with {@code n} a local, a
 *       constant or {@code a.length}, neither written in the body, and no inner loop, is strip-mined:
 *       it runs in chunks of up to K iterations with no tick inside (C2 keeps it a counted loop and can
 *       vectorise it), and one tick after each chunk, of weight 1 + iterations / 64.</li>
 *   <li>Other backward jumps get a tick of weight one just before the jump.</li>
 * </ul>
 *
 * The inserted calls take and leave nothing on the operand stack, so existing stack map frames stay
 * valid; only strip-mining adds locals and branch targets, and then the class's frames are recomputed.
 *
 * <p>Thread-safe: the JVM transforms classes on whichever threads load them, concurrently, so one
 * instance serves them all and keeps no per-class state; what differs per method (which hook, the class
 * version) travels in a {@link Site}.
 */
final class ReductionInserter {

    static final String HOOKS = "dev/preempt/internal/sched/Reductions";
    /**
     * A chunk of a strip-mined loop costs 1 + iterations / 64 reductions. A reduction is meant to stand
     * for a few nanoseconds of work (about a call); a vectorised iteration is a small fraction of one.
     * Charging one per iteration made a 4000-reduction slice last ~0.3 us on such a loop.
     */
    static final int ITERATIONS_PER_REDUCTION_SHIFT = 6;

    private final int stripMine;
    /** Back-edges of call-free loops spend their reductions this many at a time (1 = a tick each). */
    private final int batch;

    ReductionInserter(int stripMine) {
        this(stripMine, Integer.getInteger("preempt.tickBatch", 32));
    }

    ReductionInserter(int stripMine, int batch) {
        this.stripMine = stripMine;
        this.batch = Math.max(1, Math.min(batch, 127));
    }

    /** What happened to a method. */
    record Result(boolean changed, boolean needsFrames, int ticks, int stripMined) {
        static final Result NONE = new Result(false, false, 0, 0);
    }

    /**
     * What the inserted code depends on, per method: the hook's name ({@code tick}, or in a static
     * initialiser {@code tickInInitializer}: the VM never lets a thread yield inside {@code <clinit>}, so
     * there the hook counts the refusal without trying; trying there under JVMTI crashed Temurin 25, see
     * {@code Reductions}) and the class-file version (frames exist from Java 6 on).
     */
    private record Site(String hook, int classVersion) {
        MethodInsnNode tick() {
            return new MethodInsnNode(Opcodes.INVOKESTATIC, HOOKS, hook, "()V", false);
        }

        MethodInsnNode weightedTick() {
            return new MethodInsnNode(Opcodes.INVOKESTATIC, HOOKS, hook, "(I)V", false);
        }
    }

    /** Instruments {@code m}, a method of a class whose class-file version is {@code classVersion}. */
    Result instrument(MethodNode m, int classVersion) {
        if ((m.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || m.instructions.size() == 0) {
            return Result.NONE;
        }
        Site site = new Site(m.name.equals("<clinit>") ? "tickInInitializer" : "tick", classVersion & 0xFFFF);
        InsnList code = m.instructions;
        Map<LabelNode, Integer> index = new IdentityHashMap<>();
        int i = 0;
        boolean calls = false;
        for (AbstractInsnNode n = code.getFirst(); n != null; n = n.getNext(), i++) {
            if (n instanceof LabelNode l) index.put(l, i);
            int op = n.getOpcode();
            if (op >= Opcodes.INVOKEVIRTUAL && op <= Opcodes.INVOKEDYNAMIC) calls = true;
        }
        List<AbstractInsnNode> backward = new ArrayList<>();
        i = 0;
        for (AbstractInsnNode n = code.getFirst(); n != null; n = n.getNext(), i++) {
            if (isBackward(n, i, index)) backward.add(n);
        }
        if (!calls && backward.isEmpty()) return Result.NONE; // cannot run long

        int ticks = 0;
        int mined = 0;
        int batched = 0;
        Map<LabelNode, Integer> jumpsInto = countJumpTargets(m);
        List<AbstractInsnNode> callFree = new ArrayList<>();
        for (AbstractInsnNode jump : backward) {
            if (batch > 1 && !callsInLoop(code, jump, index)) callFree.add(jump); // decided on the code as it came
        }
        int counter = -1;
        for (AbstractInsnNode jump : backward) {
            if (stripMine > 0 && jump.getOpcode() == Opcodes.GOTO && tryStripMine(m, (JumpInsnNode) jump, jumpsInto, site)) {
                mined++;
            } else if (callFree.contains(jump)) {
                if (counter < 0) counter = m.maxLocals++;
                code.insertBefore(jump, batchedTick(counter, site));
                batched++;
            } else {
                code.insertBefore(jump, site.tick());
                ticks++;
            }
        }
        insertEntryTick(m, jumpsInto, site);
        ticks++;
        if (counter >= 0) { // before the entry tick: the counter is set wherever a back-edge can see it
            InsnList init = new InsnList();
            init.add(new InsnNode(Opcodes.ICONST_0));
            init.add(new VarInsnNode(Opcodes.ISTORE, counter));
            code.insert(init);
        }
        if (mined > 0 || batched > 0) m.maxStack = Math.max(m.maxStack, 3) + (batched > 0 ? 2 : 0);
        return new Result(true, mined > 0 || batched > 0, ticks + batched, mined);
    }

    /**
     * A back-edge of a loop with no call in it: count the iteration in a local and spend the reductions
     * {@code batch} at a time. A tick that decrements a field at every iteration makes each iteration
     * wait for the previous one's store (measured: an interpreter's dispatch loop ran 1.9x slower inside
     * a process); a local lives in a register. Stack-neutral; its branch target needs a frame, so the
     * class's frames are recomputed.
     * <pre>
     *    iinc k 1; iload k; bipush BATCH; if_icmplt SKIP
     *    bipush BATCH; Reductions.tick(BATCH); iconst_0; istore k
     * SKIP: (the back-edge)
     * </pre>
     */
    private InsnList batchedTick(int counter, Site site) {
        InsnList l = new InsnList();
        LabelNode skip = new LabelNode();
        l.add(new IincInsnNode(counter, 1));
        l.add(new VarInsnNode(Opcodes.ILOAD, counter));
        l.add(new IntInsnNode(Opcodes.BIPUSH, batch));
        l.add(new JumpInsnNode(Opcodes.IF_ICMPLT, skip));
        l.add(new IntInsnNode(Opcodes.BIPUSH, batch));
        l.add(site.weightedTick());
        l.add(new InsnNode(Opcodes.ICONST_0));
        l.add(new VarInsnNode(Opcodes.ISTORE, counter));
        l.add(skip);
        return l;
    }

    /** Whether the loop closed by backward jump {@code jump} calls anything between its first target and the jump. */
    private static boolean callsInLoop(InsnList code, AbstractInsnNode jump, Map<LabelNode, Integer> index) {
        int end = code.indexOf(jump), begin = end;
        for (LabelNode t : targets(jump)) {
            Integer at = index.get(t);
            if (at != null && at <= end) begin = Math.min(begin, at);
        }
        AbstractInsnNode n = code.get(begin);
        for (int i = begin; i < end && n != null; i++, n = n.getNext()) {
            int op = n.getOpcode();
            if (op >= Opcodes.INVOKEVIRTUAL && op <= Opcodes.INVOKEDYNAMIC) return true;
            if (op == Opcodes.JSR || op == Opcodes.RET) return true; // leave old subroutines alone
        }
        return false;
    }

    /**
     * The entry tick goes first (before {@code super()} in a constructor is fine: a static call). If the
     * code at offset 0 is a jump target (a method that starts with a loop), it relied on the implicit
     * initial frame; now that it moves it needs an explicit one, which is that same frame.
     */
    private static void insertEntryTick(MethodNode m, Map<LabelNode, Integer> jumpsInto, Site site) {
        InsnList code = m.instructions;
        boolean target = false;
        boolean hasFrame = false;
        AbstractInsnNode n = code.getFirst();
        for (; n != null && n.getOpcode() < 0; n = n.getNext()) {
            if (n instanceof LabelNode l && jumpsInto.containsKey(l)) target = true;
            if (n instanceof org.objectweb.asm.tree.FrameNode) hasFrame = true;
        }
        if (target && !hasFrame && site.classVersion() >= Opcodes.V1_6) {
            if (n != null) {
                code.insertBefore(n, new org.objectweb.asm.tree.FrameNode(Opcodes.F_SAME, 0, null, 0, null));
            }
        }
        code.insert(site.tick());
    }

    private static boolean isBackward(AbstractInsnNode n, int at, Map<LabelNode, Integer> index) {
        if (n instanceof JumpInsnNode j) return index.get(j.label) <= at;
        if (n instanceof TableSwitchInsnNode t) {
            if (index.get(t.dflt) <= at) return true;
            for (LabelNode l : t.labels) if (index.get(l) <= at) return true;
        }
        if (n instanceof LookupSwitchInsnNode t) {
            if (index.get(t.dflt) <= at) return true;
            for (LabelNode l : t.labels) if (index.get(l) <= at) return true;
        }
        return false;
    }

    private static Map<LabelNode, Integer> countJumpTargets(MethodNode m) {
        Map<LabelNode, Integer> c = new HashMap<>();
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof JumpInsnNode j) c.merge(j.label, 1, Integer::sum);
            if (n instanceof TableSwitchInsnNode t) {
                c.merge(t.dflt, 1, Integer::sum);
                t.labels.forEach(l -> c.merge(l, 1, Integer::sum));
            }
            if (n instanceof LookupSwitchInsnNode t) {
                c.merge(t.dflt, 1, Integer::sum);
                t.labels.forEach(l -> c.merge(l, 1, Integer::sum));
            }
        }
        for (TryCatchBlockNode t : m.tryCatchBlocks) c.merge(t.handler, 1, Integer::sum);
        return c;
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
    private boolean tryStripMine(MethodNode m, JumpInsnNode back, Map<LabelNode, Integer> jumpsInto, Site site) {
        Map<LabelNode, Integer> index = new IdentityHashMap<>(); // positions now (earlier loops may have grown the code)
        int p0 = 0;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext(), p0++) {
            if (n instanceof LabelNode l) index.put(l, p0);
        }
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
            if (isBackward(n, at, index)) return false; // an inner loop: leave this one to per-iteration ticks
            if (n.getOpcode() == Opcodes.JSR || n.getOpcode() == Opcodes.RET) return false;
        }
        // Nothing outside [test, back] may jump into the body.
        int pos = 0;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext(), pos++) {
            if (pos >= bodyStart - 1 && pos <= backAt) continue;
            for (LabelNode target : targets(n)) {
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
        tail.add(new VarInsnNode(Opcodes.ILOAD, iVar));
        tail.add(new VarInsnNode(Opcodes.ILOAD, start));
        tail.add(new InsnNode(Opcodes.ISUB));
        tail.add(new IntInsnNode(Opcodes.BIPUSH, ITERATIONS_PER_REDUCTION_SHIFT));
        tail.add(new InsnNode(Opcodes.IUSHR));
        tail.add(new InsnNode(Opcodes.ICONST_1));
        tail.add(new InsnNode(Opcodes.IADD));
        tail.add(site.weightedTick());
        m.instructions.insertBefore(back, tail);
        return true;
    }

    private static int indexOf(MethodNode m, AbstractInsnNode n) {
        return m.instructions.indexOf(n);
    }

    private static List<LabelNode> targets(AbstractInsnNode n) {
        List<LabelNode> out = new ArrayList<>();
        if (n instanceof JumpInsnNode j) out.add(j.label);
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
