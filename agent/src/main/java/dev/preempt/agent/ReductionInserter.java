package dev.preempt.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Makes one method spend reductions: a tick at entry and at every loop back-edge (any backward jump,
 * switches included), so that a process running it yields when its budget runs out.
 *
 * <ul>
 *   <li>A method that cannot run long (no call, no backward jump) gets no tick at all. Calls of JDK
 *       methods that never call back ({@link LeafCalls}: {@code VarHandle}, the atomics, {@code Math})
 *       do not count.</li>
 *   <li>A counted loop of javac's shape is strip-mined ({@link StripMiner}).</li>
 *   <li>A back-edge of a loop with no call in it counts in a local and spends its reductions in
 *       batches ({@link TickEmitter#batched}).</li>
 *   <li>Other backward jumps get a tick of weight one just before the jump.</li>
 * </ul>
 * The sequences themselves come from {@link TickEmitter}; where code branches, from {@link Jumps}.
 *
 * The inserted calls take and leave nothing on the operand stack, so existing stack map frames stay
 * valid; only strip-mining and batching add locals and branch targets, and then the class's frames are
 * recomputed.
 *
 * <p>Thread-safe: the JVM transforms classes on whichever threads load them, concurrently, so one
 * instance serves them all and keeps no per-class state; what differs per method (which hook, the class
 * version) travels in its {@link TickEmitter} and the arguments.
 */
final class ReductionInserter {

    static final String HOOKS = TickEmitter.HOOKS;

    /** Null when strip-mining is off ({@code stripmine=0}). */
    private final StripMiner stripMiner;
    /** Back-edges of call-free loops spend their reductions this many at a time (1 = a tick each). */
    private final int batch;

    ReductionInserter(int stripMine) {
        this(stripMine, Integer.getInteger("preempt.tickBatch", 32));
    }

    ReductionInserter(int stripMine, int batch) {
        this.stripMiner = stripMine > 0 ? new StripMiner(stripMine) : null;
        this.batch = Math.max(1, Math.min(batch, 127));
    }

    /** What happened to a method. */
    record Result(boolean changed, boolean needsFrames, int ticks, int stripMined) {
        static final Result NONE = new Result(false, false, 0, 0);
    }

    /** Instruments {@code m}, a method of a class whose class-file version is {@code classVersion}. */
    Result instrument(MethodNode m, int classVersion) {
        return instrument(m, classVersion, false);
    }

    /** As {@link #instrument(MethodNode, int)}; {@code library}: the class is a library's ({@link TickEmitter#forMethod(String, boolean)}). */
    Result instrument(MethodNode m, int classVersion, boolean library) {
        if ((m.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || m.instructions.size() == 0) {
            return Result.NONE;
        }
        TickEmitter ticker = TickEmitter.forMethod(m.name, library);
        InsnList code = m.instructions;
        Map<LabelNode, Integer> index = Jumps.positions(code);
        boolean calls = false;
        List<AbstractInsnNode> backward = new ArrayList<>();
        int i = 0;
        for (AbstractInsnNode n = code.getFirst(); n != null; n = n.getNext(), i++) {
            if (LeafCalls.isCall(n)) calls = true;
            if (Jumps.isBackward(n, i, index)) backward.add(n);
        }
        if (!calls && backward.isEmpty()) return Result.NONE; // cannot run long

        int ticks = 0;
        int mined = 0;
        int batched = 0;
        Map<LabelNode, Integer> jumpsInto = Jumps.countTargets(m);
        List<AbstractInsnNode> callFree = new ArrayList<>();
        for (AbstractInsnNode jump : backward) {
            if (batch > 1 && !callsInLoop(code, jump, index)) callFree.add(jump); // decided on the code as it came
        }
        int counter = -1;
        for (AbstractInsnNode jump : backward) {
            if (stripMiner != null && jump.getOpcode() == Opcodes.GOTO && stripMiner.tryStripMine(m, (JumpInsnNode) jump, jumpsInto, ticker)) {
                mined++;
            } else if (callFree.contains(jump)) {
                if (counter < 0) counter = m.maxLocals++;
                code.insertBefore(jump, ticker.batched(counter, batch));
                batched++;
            } else {
                code.insertBefore(jump, ticker.tick());
                ticks++;
            }
        }
        insertEntryTick(m, jumpsInto, ticker, classVersion & 0xFFFF);
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

    /** Whether the loop closed by backward jump {@code jump} calls anything between its first target and the jump. */
    private static boolean callsInLoop(InsnList code, AbstractInsnNode jump, Map<LabelNode, Integer> index) {
        int end = code.indexOf(jump), begin = end;
        for (LabelNode t : Jumps.targets(jump)) {
            Integer at = index.get(t);
            if (at != null && at <= end) begin = Math.min(begin, at);
        }
        AbstractInsnNode n = code.get(begin);
        for (int i = begin; i < end && n != null; i++, n = n.getNext()) {
            int op = n.getOpcode();
            if (LeafCalls.isCall(n)) return true;
            if (op == Opcodes.JSR || op == Opcodes.RET) return true; // leave old subroutines alone
        }
        return false;
    }

    /**
     * The entry tick goes first (before {@code super()} in a constructor is fine: a static call). If the
     * code at offset 0 is a jump target (a method that starts with a loop), it relied on the implicit
     * initial frame; now that it moves it needs an explicit one, which is that same frame.
     */
    private static void insertEntryTick(MethodNode m, Map<LabelNode, Integer> jumpsInto, TickEmitter ticker, int classVersion) {
        InsnList code = m.instructions;
        boolean target = false;
        boolean hasFrame = false;
        AbstractInsnNode n = code.getFirst();
        for (; n != null && n.getOpcode() < 0; n = n.getNext()) {
            if (n instanceof LabelNode l && jumpsInto.containsKey(l)) target = true;
            if (n instanceof org.objectweb.asm.tree.FrameNode) hasFrame = true;
        }
        if (target && !hasFrame && classVersion >= Opcodes.V1_6) {
            if (n != null) {
                code.insertBefore(n, new org.objectweb.asm.tree.FrameNode(Opcodes.F_SAME, 0, null, 0, null));
            }
        }
        code.insert(ticker.tick());
    }

}
