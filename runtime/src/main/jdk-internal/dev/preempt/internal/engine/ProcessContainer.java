package dev.preempt.internal.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import jdk.internal.vm.ThreadContainer;
import jdk.internal.vm.ThreadContainers;

/**
 * One scheduler's processes as a JDK thread container (see {@link ThreadStarter} for why). It keeps no
 * set of its own: {@link #threads()} reads the scheduler's process table, and {@code onStart} /
 * {@code onExit} do nothing. Registered with {@code ThreadContainers}, so thread dumps
 * ({@code jcmd <pid> Thread.dump_to_file}) list its threads after the root container's.
 *
 * <p>Compiled apart from the rest of the runtime, with {@code jdk.internal.vm} exported to it, and loaded
 * only where that package is open to the runtime (see {@link ThreadStarter#forProcesses}).
 *
 * <p>Thread contract: any thread.
 */
final class ProcessContainer extends ThreadContainer implements ThreadStarter {

    /** {@code Thread.start(ThreadContainer)}: package-private in {@code java.lang}, open to the runtime. */
    private static final MethodHandle START;

    static {
        try {
            START = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                    .findVirtual(Thread.class, "start", MethodType.methodType(void.class, ThreadContainer.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Supplier<Stream<Thread>> threads;
    private final LongSupplier count;
    private final Object key;

    ProcessContainer(String name, Supplier<Stream<Thread>> threads, LongSupplier count) {
        super(true); // shared: no owner thread, its parent is the root container
        this.name = name;
        this.threads = threads;
        this.count = count;
        this.key = ThreadContainers.registerContainer(this);
    }

    @Override
    public void start(Thread t) {
        try {
            START.invokeExact(t, (ThreadContainer) this);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        ThreadContainers.deregisterContainer(key);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Stream<Thread> threads() {
        return threads.get().filter(Thread::isAlive);
    }

    @Override
    public long threadCount() {
        return count.getAsLong();
    }
}
