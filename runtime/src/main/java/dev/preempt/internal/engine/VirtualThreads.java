package dev.preempt.internal.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * The {@code vm} engine: every process is a JDK virtual thread (a {@code jdk.internal.vm.Continuation}
 * underneath) whose scheduler is the process itself, so the JDK hands each resumption to Preempt's
 * carriers instead of its own ForkJoinPool.
 *
 * <p>Why not a bare {@code Continuation}: C2 treats {@code Thread.currentThread()} as invariant within a
 * compiled frame, so a bare continuation resumed on another carrier keeps seeing the old carrier
 * (measured on JDK 25: 916,033 of 2,000,000 resumes saw the wrong thread). Thread-locals, j.u.c locks
 * and any carrier lookup would then be wrong after a migration. A virtual thread is a stable thread
 * identity that the JDK mounts on whichever carrier runs it, so migration is safe, monitors are owned
 * by the process (JEP 491, JDK 24+), and blocking JDK calls park the process rather than the carrier.
 *
 * <p>Both the constructor that takes a scheduler and the {@code scheduler} field are private to
 * {@code java.lang}; the agent opens that package to us, or the user passes {@link #ADD_OPENS}.
 */
public final class VirtualThreads implements Engine {

    /** The flag a user adds when running without the agent, with the runtime on the class path. */
    public static final String ADD_OPENS = "--add-opens java.base/java.lang=ALL-UNNAMED";

    /** {@link #ADD_OPENS}, or, with the runtime a named module (on the module path), the flag naming it. */
    private static String addOpens() {
        Module me = VirtualThreads.class.getModule();
        return me.isNamed() ? "--add-opens java.base/java.lang=" + me.getName() : ADD_OPENS;
    }

    private static final Class<?> VT_CLASS;
    private static final MethodHandle NEW_THREAD;
    private static final MethodHandle CURRENT_CARRIER;
    private static final VarHandle SCHEDULER;
    private static final VarHandle RUN_CONTINUATION;
    private static final Executor DEFAULT_SCHEDULER;
    private static final String UNAVAILABLE;

    static {
        Class<?> vt = Void.class; // never a thread's class: the hot path then always answers null
        MethodHandle ctor = null;
        MethodHandle carrier = null;
        VarHandle sched = null;
        VarHandle runCont = null;
        Executor defaultScheduler = null;
        String why = null;
        try {
            Class<?> c = Class.forName("java.lang.VirtualThread");
            Module me = VirtualThreads.class.getModule();
            if (!Thread.class.getModule().isOpen("java.lang", me)) {
                why = "java.base does not open java.lang to " + (me.isNamed() ? "module " + me.getName() : "the class path");
            } else {
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
                ctor = l.findConstructor(c, MethodType.methodType(void.class, Executor.class, String.class, int.class, Runnable.class))
                        .asType(MethodType.methodType(Thread.class, Executor.class, String.class, int.class, Runnable.class));
                sched = l.findVarHandle(c, "scheduler", Executor.class);
                carrier = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                        .findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
                runCont = l.findVarHandle(c, "runContinuation", Runnable.class);
                for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                    if (f.getName().equals("DEFAULT_SCHEDULER") && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                        defaultScheduler = (Executor) l.unreflectVarHandle(f).get();
                    }
                }
                if (defaultScheduler == null) throw new NoSuchFieldException("VirtualThread.DEFAULT_SCHEDULER");
                vt = c;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            why = e.toString();
        }
        VT_CLASS = vt;
        NEW_THREAD = ctor;
        CURRENT_CARRIER = carrier;
        SCHEDULER = sched;
        RUN_CONTINUATION = runCont;
        DEFAULT_SCHEDULER = defaultScheduler;
        UNAVAILABLE = why;
    }

    private VirtualThreads() {}

    /**
     * Returns the engine, or throws a clear error saying what the JVM lacks.
     *
     * @param name the engine's name; only {@code vm} is known
     * @return the engine
     * @throws IllegalArgumentException if the name is unknown
     * @throws IllegalStateException if the JVM cannot make process threads (java.lang not opened)
     */
    public static Engine load(String name) {
        if (!"vm".equals(name)) {
            throw new IllegalArgumentException("unknown engine '" + name + "'; accepted: vm");
        }
        if (UNAVAILABLE != null) {
            throw new IllegalStateException("Preempt cannot create processes: " + UNAVAILABLE
                    + ". Run with -javaagent:preempt-agent.jar (it opens the package itself), or add "
                    + addOpens() + " to the java command line. Java " + Runtime.version()
                    + " (Preempt needs JDK 21 or newer).");
        }
        return INSTANCE;
    }

    private static final VirtualThreads INSTANCE = new VirtualThreads();

    /** Thread characteristics: none set, so the new thread inherits as {@code Thread.ofVirtual()} does. */
    private static final int INHERIT = 0;

    @Override
    public String name() {
        return "vm";
    }

    /**
     * A new unstarted process thread. Created by the spawner, it inherits the spawner's context class
     * loader and inheritable thread-locals, as every thread the JDK creates does by default
     * ({@code Thread.ofVirtual()} included): frameworks, {@code ServiceLoader} and test runners rely on
     * the context loader, logging MDCs on inherited values. A spawner with no inheritable thread-locals
     * pays nothing for it.
     */
    @Override
    public Thread newThread(Executor scheduler, String name, Runnable body) {
        try {
            return (Thread) NEW_THREAD.invokeExact(scheduler, name, INHERIT, body);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The task the JDK hands to the thread's scheduler each time {@code t} becomes runnable.
     *
     * @param t a thread made by {@link #newThread}
     * @return its continuation task
     */
    public static Runnable continuationOf(Thread t) {
        return (Runnable) RUN_CONTINUATION.get(t);
    }

    /**
     * The JDK's own scheduler for virtual threads. A virtual thread started inside a process inherits
     * the process as its scheduler; the process passes such threads on to this one, so that they run as
     * ordinary virtual threads.
     *
     * @return the JDK's default virtual-thread scheduler
     */
    public static Executor defaultScheduler() {
        return DEFAULT_SCHEDULER;
    }

    /**
     * The OS thread the current thread runs on: itself for a platform thread, its carrier for a mounted
     * virtual thread (the JDK's {@code Thread.currentCarrierThread()}, an intrinsic).
     *
     * @return the current carrier thread
     */
    public static Thread currentCarrier() {
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Per class of continuation task (the JDK's bound method reference, one class): the getter of its thread. */
    private static final ClassValue<MethodHandle> TASK_THREAD = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                for (java.lang.reflect.Field f : type.getDeclaredFields()) {
                    if (Thread.class.isAssignableFrom(f.getType()) && !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                        return MethodHandles.privateLookupIn(type, MethodHandles.lookup()).unreflectGetter(f)
                                .asType(MethodType.methodType(Thread.class, Object.class));
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // not a task we can read: answered as "no thread"
            }
            return null;
        }
    };

    /**
     * The virtual thread whose continuation task {@code task} is (the JDK hands a scheduler only the
     * task, {@code VirtualThread::runContinuation} bound to its thread), or null if it cannot tell.
     *
     * @param task a task the JDK handed to a virtual thread's scheduler
     * @return its thread, or null
     */
    public static Thread threadOf(Runnable task) {
        MethodHandle getter = TASK_THREAD.get(task.getClass());
        if (getter == null) return null;
        try {
            return (Thread) getter.invokeExact((Object) task);
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * The scheduler of the virtual thread {@code t}, or null if {@code t} is not one of ours. Hot: the
     * tick hook calls it. A virtual thread's identity is stable across carriers, so a compiled frame
     * may keep the answer across a yield.
     *
     * @param t any thread
     * @return its scheduler (a process, for a process's thread), or null
     */
    public static Object schedulerOf(Thread t) {
        return t.getClass() == VT_CLASS ? SCHEDULER.get(t) : null;
    }
}
