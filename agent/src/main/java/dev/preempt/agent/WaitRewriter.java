package dev.preempt.agent;

import java.util.Map;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Points a method's calls of the JDK waits that ignore interrupts at the runtime's {@code Waits}, whose
 * versions end at an exit signal (there: why, and what stays the same). A call site is replaced by a
 * static call with the receiver as first argument, so the operand stack and the frames are unchanged.
 * Method references to them are pointed there too ({@link #reference}). {@code invokevirtual} and
 * {@code invokeinterface} of the owners below are matched, and a call on an application's subclass that
 * inherits one of them ({@link #INHERITED_CALLS}: {@code MyLock.lock()}, {@code MyTask.join()}), as is
 * {@code ForkJoinTask}'s static {@code invokeAll} ({@link #STATIC_CALLS}) on any owner that inherits it;
 * a {@code super.lock()} ({@code invokespecial}) is left alone. The hooks look at the receiver's class
 * at run time and make the plain call for one that overrides the wait.
 * Stateless, so thread-safe.
 */
final class WaitRewriter {

    static final String WAITS = "dev/preempt/internal/hooks/Waits";

    /** A hook: its name and descriptor in {@link #WAITS}. */
    record Hook(String name, String descriptor) {}

    private static final Hook LOCK = new Hook("lock", "(Ljava/util/concurrent/locks/Lock;)V");
    private static final Hook FORK_JOIN = new Hook("join", "(Ljava/util/concurrent/ForkJoinTask;)Ljava/lang/Object;");
    private static final Hook CLOSE = new Hook("close", "(Ljava/util/concurrent/ExecutorService;)V");
    private static final Hook QUIETLY_JOIN = new Hook("quietlyJoin", "(Ljava/util/concurrent/ForkJoinTask;)V");
    private static final Hook INVOKE = new Hook("invoke", "(Ljava/util/concurrent/ForkJoinTask;)Ljava/lang/Object;");
    private static final Hook QUIETLY_INVOKE = new Hook("quietlyInvoke", "(Ljava/util/concurrent/ForkJoinTask;)V");

    /** Call sites ({@code owner.name descriptor}) and the hook each becomes. */
    static final Map<String, Hook> CALLS = Map.ofEntries(
            Map.entry("java/util/concurrent/locks/Lock.lock()V", LOCK),
            Map.entry("java/util/concurrent/locks/ReentrantLock.lock()V", LOCK),
            Map.entry("java/util/concurrent/locks/ReentrantReadWriteLock$ReadLock.lock()V", LOCK),
            Map.entry("java/util/concurrent/locks/ReentrantReadWriteLock$WriteLock.lock()V", LOCK),
            Map.entry("java/util/concurrent/locks/Condition.awaitUninterruptibly()V",
                    new Hook("awaitUninterruptibly", "(Ljava/util/concurrent/locks/Condition;)V")),
            Map.entry("java/util/concurrent/Semaphore.acquireUninterruptibly()V",
                    new Hook("acquireUninterruptibly", "(Ljava/util/concurrent/Semaphore;)V")),
            Map.entry("java/util/concurrent/Semaphore.acquireUninterruptibly(I)V",
                    new Hook("acquireUninterruptibly", "(Ljava/util/concurrent/Semaphore;I)V")),
            Map.entry("java/util/concurrent/CompletableFuture.join()Ljava/lang/Object;",
                    new Hook("join", "(Ljava/util/concurrent/CompletableFuture;)Ljava/lang/Object;")),
            Map.entry("java/util/concurrent/ForkJoinTask.join()Ljava/lang/Object;", FORK_JOIN),
            Map.entry("java/util/concurrent/RecursiveTask.join()Ljava/lang/Object;", FORK_JOIN),
            Map.entry("java/util/concurrent/RecursiveAction.join()Ljava/lang/Object;", FORK_JOIN),
            Map.entry("java/util/concurrent/CountedCompleter.join()Ljava/lang/Object;", FORK_JOIN),
            Map.entry("java/util/concurrent/ForkJoinTask.quietlyJoin()V", QUIETLY_JOIN),
            Map.entry("java/util/concurrent/RecursiveTask.quietlyJoin()V", QUIETLY_JOIN),
            Map.entry("java/util/concurrent/RecursiveAction.quietlyJoin()V", QUIETLY_JOIN),
            Map.entry("java/util/concurrent/CountedCompleter.quietlyJoin()V", QUIETLY_JOIN),
            Map.entry("java/util/concurrent/ForkJoinTask.invoke()Ljava/lang/Object;", INVOKE),
            Map.entry("java/util/concurrent/RecursiveTask.invoke()Ljava/lang/Object;", INVOKE),
            Map.entry("java/util/concurrent/RecursiveAction.invoke()Ljava/lang/Object;", INVOKE),
            Map.entry("java/util/concurrent/CountedCompleter.invoke()Ljava/lang/Object;", INVOKE),
            Map.entry("java/util/concurrent/ForkJoinTask.quietlyInvoke()V", QUIETLY_INVOKE),
            Map.entry("java/util/concurrent/RecursiveTask.quietlyInvoke()V", QUIETLY_INVOKE),
            Map.entry("java/util/concurrent/RecursiveAction.quietlyInvoke()V", QUIETLY_INVOKE),
            Map.entry("java/util/concurrent/CountedCompleter.quietlyInvoke()V", QUIETLY_INVOKE),
            Map.entry("java/util/concurrent/locks/StampedLock.writeLock()J",
                    new Hook("writeLock", "(Ljava/util/concurrent/locks/StampedLock;)J")),
            Map.entry("java/util/concurrent/locks/StampedLock.readLock()J",
                    new Hook("readLock", "(Ljava/util/concurrent/locks/StampedLock;)J")),
            Map.entry("java/util/concurrent/Phaser.arriveAndAwaitAdvance()I",
                    new Hook("arriveAndAwaitAdvance", "(Ljava/util/concurrent/Phaser;)I")),
            Map.entry("java/util/concurrent/Phaser.awaitAdvance(I)I",
                    new Hook("awaitAdvance", "(Ljava/util/concurrent/Phaser;I)I")),
            Map.entry("java/util/concurrent/ForkJoinPool.invoke(Ljava/util/concurrent/ForkJoinTask;)Ljava/lang/Object;",
                    new Hook("invoke", "(Ljava/util/concurrent/ForkJoinPool;Ljava/util/concurrent/ForkJoinTask;)Ljava/lang/Object;")),
            Map.entry("java/util/concurrent/ExecutorService.close()V", CLOSE),
            Map.entry("java/util/concurrent/AbstractExecutorService.close()V", CLOSE),
            Map.entry("java/util/concurrent/ThreadPoolExecutor.close()V", CLOSE),
            Map.entry("java/util/concurrent/ScheduledThreadPoolExecutor.close()V", CLOSE),
            Map.entry("java/util/concurrent/ForkJoinPool.close()V", CLOSE));

    /**
     * Static waits ({@code name descriptor}), owned by {@link #FORK_JOIN_TASK}; each hook has the call's own
     * descriptor. A static call names the class it was written against, not the one that declares the
     * method: {@code invokeAll(left, right)} in a {@code RecursiveAction}'s {@code compute} is
     * {@code invokestatic MyAction.invokeAll}, so the owner is resolved ({@link Declarations}). All are named
     * {@code invokeAll}, which {@link #hookOf} tests before it builds a key.
     */
    static final Map<String, Hook> STATIC_CALLS = Map.of(
            "invokeAll(Ljava/util/concurrent/ForkJoinTask;Ljava/util/concurrent/ForkJoinTask;)V",
            new Hook("invokeAll", "(Ljava/util/concurrent/ForkJoinTask;Ljava/util/concurrent/ForkJoinTask;)V"),
            "invokeAll([Ljava/util/concurrent/ForkJoinTask;)V",
            new Hook("invokeAll", "([Ljava/util/concurrent/ForkJoinTask;)V"),
            "invokeAll(Ljava/util/Collection;)Ljava/util/Collection;",
            new Hook("invokeAll", "(Ljava/util/Collection;)Ljava/util/Collection;"));

    static final String FORK_JOIN_TASK = "java/util/concurrent/ForkJoinTask";

    /**
     * Waits ({@code name descriptor}) taken on a call whose owner is a class of the application's that
     * inherits them from an owner in {@link #CALLS}: {@code left.join()} on a {@code MyTask left} is
     * {@code invokevirtual MyTask.join}, the usual way a task joins its subtasks, and {@code lock()} on a
     * {@code MyLock extends ReentrantLock} is {@code invokevirtual MyLock.lock}. The owner's class chain
     * ({@link Declarations}) names the class that declares the method, and that class's entry in
     * {@link #CALLS} is the hook; one that declares its own (an override) is left alone. Before, only the
     * JDK's own owners were matched, and a kill did not reach a process waiting on a subclass's lock.
     */
    static final java.util.Set<String> INHERITED_CALLS = java.util.Set.of("join()Ljava/lang/Object;", "quietlyJoin()V",
            "invoke()Ljava/lang/Object;", "quietlyInvoke()V", "arriveAndAwaitAdvance()I", "awaitAdvance(I)I", "writeLock()J",
            "readLock()J",
            "lock()V", "acquireUninterruptibly()V", "acquireUninterruptibly(I)V");

    /** Which class declares the method a call names: its owner, or the nearest superclass that does. */
    interface Declarations {
        /** The internal name of the class that declares {@code name desc} as seen from {@code owner}, or null if unknown. */
        String declaring(String owner, String name, String desc);
    }

    /** Rewrites {@code m}'s matching call sites and method references in place; returns how many. */
    int rewrite(MethodNode m, Declarations declarations) {
        int n = 0;
        for (AbstractInsnNode i = m.instructions.getFirst(); i != null; i = i.getNext()) {
            if (i instanceof InvokeDynamicInsnNode indy && reference(indy)) {
                n++;
            } else if (i instanceof MethodInsnNode call) {
                Hook h = hookOf(call, declarations);
                if (h != null) {
                    MethodInsnNode hook = new MethodInsnNode(Opcodes.INVOKESTATIC, WAITS, h.name(), h.descriptor(), false);
                    m.instructions.set(call, hook);
                    i = hook;
                    n++;
                }
            }
        }
        return n;
    }

    private static Hook hookOf(MethodInsnNode call, Declarations declarations) {
        int op = call.getOpcode();
        if ((op == Opcodes.INVOKEVIRTUAL || op == Opcodes.INVOKEINTERFACE) && call.owner.startsWith("java/util/concurrent/")) {
            return CALLS.get(call.owner + "." + call.name + call.desc);
        }
        if (op == Opcodes.INVOKEVIRTUAL && !call.owner.startsWith("java/") && INHERITABLE_NAMES.contains(call.name)) {
            if (!INHERITED_CALLS.contains(call.name + call.desc)) return null;
            String declaring = declarations.declaring(call.owner, call.name, call.desc);
            return declaring != null && declaring.startsWith("java/util/concurrent/") ? CALLS.get(declaring + "." + call.name + call.desc) : null;
        }
        if (op != Opcodes.INVOKESTATIC || call.itf || !call.name.equals("invokeAll")) return null; // before any string is built
        Hook h = STATIC_CALLS.get(call.name + call.desc);
        if (h == null) return null;
        // The JDK's own classes first (no lookup); any other owner is taken only if it inherits the JDK's
        // method, so a class's own static invokeAll of that shape is left alone.
        boolean jdk = call.owner.equals(FORK_JOIN_TASK) || JDK_TASKS.contains(call.owner);
        return jdk || FORK_JOIN_TASK.equals(declarations.declaring(call.owner, call.name, call.desc)) ? h : null;
    }

    /** The names in {@link #INHERITED_CALLS}, tested before any string is built. */
    private static final java.util.Set<String> INHERITABLE_NAMES = INHERITED_CALLS.stream()
            .map(call -> call.substring(0, call.indexOf('('))).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** The JDK's subclasses of {@code ForkJoinTask} that declare no {@code invokeAll} of their own. */
    private static final java.util.Set<String> JDK_TASKS = java.util.Set.of(
            "java/util/concurrent/RecursiveTask", "java/util/concurrent/RecursiveAction", "java/util/concurrent/CountedCompleter");

    /**
     * A method reference ({@code semaphore::acquireUninterruptibly}, {@code CompletableFuture::join}) has
     * no call site in the class: the JDK's lambda factory calls its method handle from a hidden class,
     * which is never rewritten. So the handle itself is replaced by the hook's; the factory passes the
     * receiver (captured or not) as the static method's first argument, and the lambda's types stay.
     */
    private static boolean reference(InvokeDynamicInsnNode indy) {
        if (!LAMBDA_FACTORY.equals(indy.bsm.getOwner()) || indy.bsmArgs.length < 3
                || !(indy.bsmArgs[1] instanceof Handle impl)
                || (impl.getTag() != Opcodes.H_INVOKEVIRTUAL && impl.getTag() != Opcodes.H_INVOKEINTERFACE)) {
            return false;
        }
        Hook h = CALLS.get(impl.getOwner() + "." + impl.getName() + impl.getDesc());
        if (h == null) return false;
        indy.bsmArgs[1] = new Handle(Opcodes.H_INVOKESTATIC, WAITS, h.name(), h.descriptor(), false);
        Type[] captured = Type.getArgumentTypes(indy.desc);
        if (captured.length > 0) {
            // The receiver is captured: the factory takes a static handle's captured arguments only with
            // their exact types, where a virtual handle's receiver may be any subtype. So it is captured as
            // the hook's type (the value on the stack is one): `ReentrantLock l; l::lock` pointed at
            // Waits.lock(Lock) failed at its bootstrap ("Type mismatch in captured lambda parameter 0"),
            // and so did `RecursiveTask t; t::join` (a helper's; WaitRewriterTest).
            captured[0] = Type.getArgumentTypes(h.descriptor())[0];
            indy.desc = Type.getMethodDescriptor(Type.getReturnType(indy.desc), captured);
        }
        return true;
    }

    private static final String LAMBDA_FACTORY = "java/lang/invoke/LambdaMetafactory";
}
