package dev.preempt.agent;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Emits the tick sequences that rewritten code runs, for one method: every call to the runtime's hooks
 * is made here. The hook is {@code tick}, in a library's class {@code tickInLibrary} (the same cost; see
 * {@code Reductions}), or in a static initialiser {@code tickInInitializer}: the VM
 * never lets a thread yield inside {@code <clinit>}, so there the hook counts the refusal without trying
 * (trying there under JVMTI crashed Temurin 25, see {@code Reductions}). Every sequence takes and leaves
 * nothing on the operand stack. Immutable; one per method being rewritten.
 *
 * @param hook the hook's name
 */
record TickEmitter(String hook) {

    static final String HOOKS = "dev/preempt/internal/hooks/Reductions";
    /** The hooks' names and descriptors, the only ones emitted (RuntimeMatch checks the runtime has them). */
    static final String TICK = "tick", TICK_IN_INITIALIZER = "tickInInitializer", TICK_IN_LIBRARY = "tickInLibrary",
            ONE = "()V", WEIGHTED = "(I)V";

    /** The emitter for method {@code methodName} of the application's own code. */
    static TickEmitter forMethod(String methodName) {
        return forMethod(methodName, false);
    }

    /**
     * The emitter for method {@code methodName}; {@code library}: of a class from a jar other than the
     * main class's, whose ticks do not look at an exit waiting for the process's own code
     * ({@code Reductions.tickInLibrary}).
     */
    static TickEmitter forMethod(String methodName, boolean library) {
        return new TickEmitter(methodName.equals("<clinit>") ? TICK_IN_INITIALIZER : library ? TICK_IN_LIBRARY : TICK);
    }

    /** One reduction: {@code Reductions.tick()}. */
    MethodInsnNode tick() {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, HOOKS, hook, ONE, false);
    }

    /** {@code Reductions.tick(int)}: spends the int on top of the stack (pushed just before). */
    MethodInsnNode weighted() {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, HOOKS, hook, WEIGHTED, false);
    }

    /**
     * A back-edge of a loop with no call in it: count the iteration in local {@code counter} and spend
     * the reductions {@code batch} at a time. A tick that decrements a field at every iteration makes each
     * iteration wait for the previous one's store (measured: an interpreter's dispatch loop ran 1.9x
     * slower inside a process); a local lives in a register. Its branch target needs a frame, so the
     * class's frames are recomputed.
     * <pre>
     *    iinc k 1; iload k; bipush BATCH; if_icmplt SKIP
     *    bipush BATCH; Reductions.tick(BATCH); iconst_0; istore k
     * SKIP: (the back-edge)
     * </pre>
     */
    InsnList batched(int counter, int batch) {
        InsnList l = new InsnList();
        LabelNode skip = new LabelNode();
        l.add(new IincInsnNode(counter, 1));
        l.add(new VarInsnNode(Opcodes.ILOAD, counter));
        l.add(new IntInsnNode(Opcodes.BIPUSH, batch));
        l.add(new JumpInsnNode(Opcodes.IF_ICMPLT, skip));
        l.add(new IntInsnNode(Opcodes.BIPUSH, batch));
        l.add(weighted());
        l.add(new InsnNode(Opcodes.ICONST_0));
        l.add(new VarInsnNode(Opcodes.ISTORE, counter));
        l.add(skip);
        return l;
    }

    /**
     * After a chunk of a strip-mined loop: {@code Reductions.tick(1 + (i - start) >>> shift)}, the
     * chunk's iterations (index local {@code i}, the chunk's first index in {@code start}) at
     * {@code 2^shift} iterations a reduction.
     */
    InsnList afterChunk(int i, int start, int shift) {
        InsnList l = new InsnList();
        l.add(new VarInsnNode(Opcodes.ILOAD, i));
        l.add(new VarInsnNode(Opcodes.ILOAD, start));
        l.add(new InsnNode(Opcodes.ISUB));
        l.add(new IntInsnNode(Opcodes.BIPUSH, shift));
        l.add(new InsnNode(Opcodes.IUSHR));
        l.add(new InsnNode(Opcodes.ICONST_1));
        l.add(new InsnNode(Opcodes.IADD));
        l.add(weighted());
        return l;
    }
}
