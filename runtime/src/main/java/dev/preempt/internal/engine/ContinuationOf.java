package dev.preempt.internal.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The getter of a virtual thread's continuation ({@code VirtualThread.cont}), which {@link FrozenStack}
 * and {@link UnmountedStack} both start from. Needs {@code java.lang} and {@code jdk.internal.vm} opened
 * to the runtime (the agent does that). Any thread.
 */
final class ContinuationOf {

    /** {@code (Object) VirtualThread -> (Object) Continuation}; null if the packages are not open or the JDK changed. */
    static final MethodHandle GETTER;

    /** {@code jdk.internal.vm.Continuation}, or null as {@link #GETTER} is. */
    static final Class<?> TYPE;

    static {
        MethodHandle getter = null;
        Class<?> type = null;
        try {
            Module me = ContinuationOf.class.getModule();
            Module base = Thread.class.getModule();
            if (base.isOpen("java.lang", me) && base.isOpen("jdk.internal.vm", me)) {
                Class<?> vt = Class.forName("java.lang.VirtualThread");
                Class<?> c = Class.forName("jdk.internal.vm.Continuation");
                getter = MethodHandles.privateLookupIn(vt, MethodHandles.lookup()).findGetter(vt, "cont", c)
                        .asType(MethodType.methodType(Object.class, Object.class));
                type = c;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            getter = null; // a changed JDK: unavailable
            type = null;
        }
        GETTER = getter;
        TYPE = type;
    }

    private ContinuationOf() {}
}
