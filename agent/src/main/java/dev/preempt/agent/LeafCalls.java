package dev.preempt.agent;

import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * Calls that do not count as calls when the agent decides where ticks go: JDK methods that run a
 * bounded amount of code and never call back into application code, so no cycle of calls can pass
 * through them and a method that calls only these (and has no loop) cannot run long. They are the
 * building blocks of lock-free code: {@code VarHandle} access modes, {@code Unsafe}, the atomics, the
 * boxes' and {@code Math}'s static methods, {@code Object.<init>}.
 *
 * <p>Why it matters beyond the tick's cost: an exit is thrown at a tick, and a tick at the entry of a
 * one-line helper such as {@code soElement(buffer, offset, e)} (a {@code VarHandle.setRelease}) lands
 * between a lock-free queue's reservation of a slot (a CAS) and its store into it. A process killed
 * there left Caffeine's write buffer with a slot reserved and never filled: the thread draining it,
 * holding the cache's eviction lock, spun on it for good (4 of 5 runs of a helper's program that killed
 * processes sharing a cache). Such helpers now have no tick at all.
 *
 * <p>Methods that take a function ({@code AtomicInteger.updateAndGet(IntUnaryOperator)},
 * {@code Objects.requireNonNull(T, Supplier)}), {@code toString}, and the boxes' statics that take a
 * {@code CharSequence} or an {@code Object} may call back, so they stay calls; so does {@code Unsafe.park}.
 */
final class LeafCalls {

    private LeafCalls() {}

    /** Owners all of whose methods are leaves (except those taking a function, and park). */
    private static final Set<String> OWNERS = Set.of(
            "java/lang/invoke/VarHandle",
            "sun/misc/Unsafe", "jdk/internal/misc/Unsafe",
            "java/util/concurrent/atomic/AtomicInteger", "java/util/concurrent/atomic/AtomicLong",
            "java/util/concurrent/atomic/AtomicBoolean", "java/util/concurrent/atomic/AtomicReference",
            "java/util/concurrent/atomic/AtomicIntegerArray", "java/util/concurrent/atomic/AtomicLongArray",
            "java/util/concurrent/atomic/AtomicReferenceArray",
            "java/util/concurrent/atomic/AtomicIntegerFieldUpdater", "java/util/concurrent/atomic/AtomicLongFieldUpdater",
            "java/util/concurrent/atomic/AtomicReferenceFieldUpdater",
            "java/lang/Math", "java/lang/StrictMath");

    /** Owners whose static methods are leaves: the boxes (valueOf, bit twiddling, compare, hashCode). */
    private static final Set<String> STATIC_OWNERS = Set.of(
            "java/lang/Integer", "java/lang/Long", "java/lang/Short", "java/lang/Byte", "java/lang/Character",
            "java/lang/Boolean", "java/lang/Float", "java/lang/Double");

    /** Single methods ({@code owner.name descriptor}). */
    private static final Set<String> METHODS = Set.of(
            "java/lang/Object.<init>()V", "java/lang/Record.<init>()V", "java/lang/Enum.<init>(Ljava/lang/String;I)V",
            "java/lang/Object.getClass()Ljava/lang/Class;",
            "java/lang/Thread.onSpinWait()V", "java/lang/Thread.currentThread()Ljava/lang/Thread;",
            "java/lang/System.nanoTime()J", "java/lang/System.currentTimeMillis()J",
            "java/lang/System.identityHashCode(Ljava/lang/Object;)I",
            "java/lang/System.arraycopy(Ljava/lang/Object;ILjava/lang/Object;II)V",
            "java/util/Objects.requireNonNull(Ljava/lang/Object;)Ljava/lang/Object;",
            "java/util/Objects.requireNonNull(Ljava/lang/Object;Ljava/lang/String;)Ljava/lang/Object;");

    /** Whether {@code n} is a call (an invoke instruction) that is not a leaf: one a tick must account for. */
    static boolean isCall(AbstractInsnNode n) {
        int op = n.getOpcode();
        if (op < Opcodes.INVOKEVIRTUAL || op > Opcodes.INVOKEDYNAMIC) return false;
        return !(n instanceof MethodInsnNode m && isLeaf(m));
    }

    static boolean isLeaf(MethodInsnNode m) {
        if (!m.owner.startsWith("java/") && !m.owner.startsWith("sun/") && !m.owner.startsWith("jdk/")) return false;
        if (METHODS.contains(m.owner + "." + m.name + m.desc)) return true;
        boolean all = OWNERS.contains(m.owner), statics = m.getOpcode() == Opcodes.INVOKESTATIC && STATIC_OWNERS.contains(m.owner);
        if (!all && !statics) return false;
        if (m.desc.contains("Ljava/util/function/") || m.name.equals("toString")) return false; // calls back
        // A box's static taking a CharSequence or an Object may call the application's charAt or toString.
        if (statics && (m.desc.contains("Ljava/lang/CharSequence;") || m.desc.contains("Ljava/lang/Object;"))) return false;
        return !(m.name.equals("park") && m.owner.endsWith("/Unsafe"));
    }
}
