package dev.preempt.internal.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * How much heap the frozen part of a process's stack takes. When a virtual thread yields, its frames
 * move from the carrier's stack into {@code jdk.internal.vm.StackChunk} objects on the heap, and on
 * resume only the top frames are copied back (lazily, as calls return). So a process that is preempted
 * on its way down a recursion never meets the carrier's stack limit: its stack grows in the heap until
 * the heap is gone (40 million frames, 462 MB in 1.5 s, measured). The scheduler bounds it with this
 * measure.
 *
 * <p>The measure is the capacity of the continuation's chunk chain ({@code Continuation.tail}, then each
 * chunk's {@code parent}), in 8-byte words: what the frozen stack holds in the heap. It needs
 * {@code jdk.internal.vm} opened to the runtime (the agent does that); without it the measure is
 * unavailable and stacks are unbounded, as they are for plain virtual threads.
 *
 * <p>Thread contract: call it from the process's own thread (the chunks then do not change under it).
 */
public final class FrozenStack {

    private static final MethodHandle TAIL;   // Continuation -> newest StackChunk
    private static final MethodHandle PARENT; // StackChunk -> older StackChunk
    private static final MethodHandle SIZE;   // StackChunk -> capacity in words
    private static final String UNAVAILABLE;

    /** The package the agent (or {@code --add-opens java.base/jdk.internal.vm=ALL-UNNAMED}) opens for this. */
    private static final String PACKAGE = "jdk.internal.vm";

    static {
        MethodHandle tail = null, parent = null, size = null;
        String why = null;
        try {
            Module me = FrozenStack.class.getModule();
            if (!Thread.class.getModule().isOpen(PACKAGE, me) || !Thread.class.getModule().isOpen("java.lang", me)) {
                why = "java.base does not open java.lang and " + PACKAGE + " to the runtime";
            } else {
                Class<?> c = Class.forName("jdk.internal.vm.Continuation");
                Class<?> chunk = Class.forName("jdk.internal.vm.StackChunk");
                MethodType objToObj = MethodType.methodType(Object.class, Object.class);
                if (ContinuationOf.GETTER == null) throw new IllegalStateException("no VirtualThread.cont");
                MethodHandles.Lookup vm = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
                tail = vm.findGetter(c, "tail", chunk).asType(objToObj);
                MethodHandles.Lookup chunks = MethodHandles.privateLookupIn(chunk, MethodHandles.lookup());
                parent = chunks.findGetter(chunk, "parent", chunk).asType(objToObj);
                size = chunks.findGetter(chunk, "size", int.class).asType(MethodType.methodType(int.class, Object.class));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            why = e.toString();
        }
        TAIL = tail;
        PARENT = parent;
        SIZE = size;
        UNAVAILABLE = why;
    }

    private FrozenStack() {}

    /**
     * Whether {@link #bytes} can measure (else it answers 0).
     *
     * @return true if the JDK's internals it reads are open to it
     */
    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /**
     * Why it cannot measure, or null.
     *
     * @return the reason, or null when it can
     */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * The heap bytes of {@code vt}'s frozen stack, counted until they pass {@code stopAbove} (the chain is
     * then not walked further: the answer is only known to be larger). 0 when unavailable.
     *
     * @param vt a process's virtual thread: the calling thread
     * @param stopAbove a byte count past which counting stops
     * @return the bytes counted
     */
    public static long bytes(Thread vt, long stopAbove) {
        if (UNAVAILABLE != null) return 0;
        try {
            long words = 0;
            long stopWords = stopAbove >>> 3;
            for (Object c = TAIL.invokeExact(ContinuationOf.GETTER.invokeExact((Object) vt)); c != null; c = PARENT.invokeExact(c)) {
                words += (int) SIZE.invokeExact(c);
                if (words > stopWords) break;
            }
            return words << 3;
        } catch (Throwable t) {
            return 0; // a changed JDK layout: no bound rather than a broken process
        }
    }
}
