package dev.preempt.internal.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The frames of a process that is not running, with their classes: where it is parked. The JDK's
 * {@code Thread.getStackTrace} gives only class names, and a name does not say which loader's class,
 * so which jar, a frame is; the continuation's own {@code StackWalker}, with
 * {@code RETAIN_CLASS_REFERENCE}, gives the classes.
 *
 * <p>Thread contract: any thread, but the process must stay unmounted for the whole walk. The JDK's
 * {@code VirtualThread.tryGetStackTrace} ensures that by suspending the thread's state; the caller here
 * must hold the process's mount claim, so that no carrier can mount it meanwhile. A walk of a mounted
 * continuation throws {@code IllegalStateException}, answered as {@code null}.
 *
 * <p>Needs {@code java.lang} and {@code jdk.internal.vm} opened to the runtime (the agent does that, as
 * for {@link FrozenStack}); without them {@link #available()} is false.
 */
public final class UnmountedStack {

    private static final MethodHandle WALKER; // (Continuation, Set<Option>) -> StackWalker

    static {
        MethodHandle walker = null;
        Class<?> c = ContinuationOf.TYPE;
        if (ContinuationOf.GETTER != null) {
            try {
                walker = MethodHandles.privateLookupIn(c, MethodHandles.lookup())
                        .findVirtual(c, "stackWalker", MethodType.methodType(StackWalker.class, Set.class))
                        .asType(MethodType.methodType(StackWalker.class, Object.class, Set.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                walker = null; // a changed JDK: unavailable
            }
        }
        WALKER = walker;
    }

    private static final Set<StackWalker.Option> OPTIONS = EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private UnmountedStack() {}

    /**
     * Whether {@link #walk} can read stacks here.
     *
     * @return true if the JDK's internals it reads are open to it
     */
    public static boolean available() {
        return WALKER != null;
    }

    /**
     * Walks the frames of {@code vt}, newest first, while it is unmounted (see the class's contract).
     *
     * @param <T> what the walk answers
     * @param vt a process's virtual thread, not running and kept from running by the caller
     * @param walk what to do with the frames
     * @return what {@code walk} answered, or null if the thread could not be walked (mounted, unavailable)
     */
    public static <T> T walk(Thread vt, Function<? super Stream<StackWalker.StackFrame>, ? extends T> walk) {
        if (WALKER == null) return null;
        try {
            StackWalker w = (StackWalker) WALKER.invokeExact(ContinuationOf.GETTER.invokeExact((Object) vt), OPTIONS);
            return w.walk(walk);
        } catch (IllegalStateException e) {
            return null; // mounted after all
        } catch (Throwable t) {
            if (t instanceof Error e && !(t instanceof LinkageError)) throw e;
            return null;
        }
    }
}
