package dev.preempt.internal.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Starts a scheduler's process threads. Where it can, in a JDK thread container of the scheduler's own
 * ({@code ProcessContainer}), which finds its threads in the scheduler's process table; else with
 * {@link Thread#start()}, in the JDK's root container.
 *
 * <p>Why: the root container keeps every virtual thread started with {@code Thread.start()} in a
 * {@code ConcurrentHashMap} key set of its own ({@code jdk.trackAllThreads}, on by default), so that
 * thread dumps find them: a 32-byte node and about 8 bytes of table per process, beside the process
 * table, which already knows every process. The scheduler's container gives thread dumps the same
 * threads from the process table (the JSON format lists them under the scheduler's name) and holds
 * nothing per process. It needs {@code jdk.internal.vm} open to the runtime (the agent and
 * {@code agent/preempt.args} open it), and the JDK's package-private {@code Thread.start(ThreadContainer)},
 * which {@code java.lang} being open reaches.
 *
 * <p>Thread contract: {@link #start} from any thread; {@link #close} once, at shutdown.
 */
public interface ThreadStarter {

    /**
     * Starts {@code t}, a process's unstarted thread.
     *
     * @param t the thread
     */
    void start(Thread t);

    /** The scheduler has shut down: thread dumps stop looking for its processes here. */
    void close();

    /** Starts with {@link Thread#start()}: the JDK's root container tracks the thread. */
    ThreadStarter PLAIN = new ThreadStarter() {
        @Override
        public void start(Thread t) {
            t.start();
        }

        @Override
        public void close() {}
    };

    /**
     * The starter for a scheduler's processes: a container of their own when the JDK allows it, else
     * {@link #PLAIN}.
     *
     * @param name the container's name, as thread dumps show it
     * @param threads the scheduler's process threads now (the process table's; started or not)
     * @param count how many processes the scheduler has now
     * @return the starter
     */
    static ThreadStarter forProcesses(String name, Supplier<Stream<Thread>> threads, LongSupplier count) {
        MethodHandle make = Containers.MAKE;
        if (make != null) {
            try {
                return (ThreadStarter) make.invokeExact(name, threads, count);
            } catch (Throwable e) {
                Logger.getLogger("dev.preempt").log(Level.FINE, "processes start in the JDK's root container", e);
            }
        }
        return PLAIN;
    }

    /** Whether {@code ProcessContainer} can be used here, looked up once. */
    final class Containers {
        private Containers() {}

        static final MethodHandle MAKE = lookUp();

        private static MethodHandle lookUp() {
            if ("root".equals(System.getProperty("preempt.threadContainer"))) return null;
            try {
                Module me = ThreadStarter.class.getModule();
                Module base = Thread.class.getModule();
                if (!base.isExported("jdk.internal.vm", me) || !base.isOpen("java.lang", me)) return null;
                Class<?> kind = Class.forName("dev.preempt.internal.engine.ProcessContainer");
                return MethodHandles.lookup()
                        .findConstructor(kind, MethodType.methodType(void.class, String.class, Supplier.class, LongSupplier.class))
                        .asType(MethodType.methodType(ThreadStarter.class, String.class, Supplier.class, LongSupplier.class));
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                Logger.getLogger("dev.preempt").log(Level.FINE, "processes start in the JDK's root container: " + e);
                return null;
            }
        }
    }
}
