package dev.preempt.internal.sched;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes the thread a carrier runs on. Where it can, a {@link JdkCarrierThread} (a
 * {@code jdk.internal.misc.CarrierThread}, which the JDK tells about blocking calls); else a
 * {@link PlainCarrierThread}. The JDK kind needs three things, checked once: {@code jdk.internal.misc}
 * exported to the runtime (the agent does it), the JDK's {@code CarrierThread} with the overridable
 * {@code boolean beginBlocking()} / {@code void endBlocking()} that {@code Blocker} calls (JDK 22 on; on
 * JDK 21 {@code Blocker} compensates a ForkJoinPool itself, which would be the wrong pool), and no
 * custom carrier stack size (a {@code CarrierThread} always has the default).
 */
final class CarrierThreads {

    private static final Logger LOG = Logger.getLogger("dev.preempt");
    private static final MethodHandle JDK_KIND = jdkKind();

    private CarrierThreads() {}

    /** Whether carriers are the JDK's kind (blocking calls hand off at once). */
    static boolean jdkKind(long stackSize) {
        return JDK_KIND != null && stackSize == 0;
    }

    static Thread newThread(Carrier carrier, String name, long stackSize) {
        if (jdkKind(stackSize)) {
            try {
                return (Thread) JDK_KIND.invokeExact(carrier, name);
            } catch (Throwable t) {
                LOG.log(Level.FINE, "cannot make a JDK carrier thread; using a plain one", t);
            }
        }
        return new PlainCarrierThread(carrier, name, stackSize);
    }

    private static MethodHandle jdkKind() {
        if (Boolean.getBoolean("preempt.plainCarriers")) return null;
        try {
            Module me = CarrierThreads.class.getModule();
            Class<?> ct = Class.forName("jdk.internal.misc.CarrierThread");
            if (!ct.getModule().isExported("jdk.internal.misc", me)) return null;
            Method begin = ct.getMethod("beginBlocking");
            Method end = ct.getMethod("endBlocking");
            if (begin.getReturnType() != boolean.class || Modifier.isFinal(begin.getModifiers())
                    || Modifier.isFinal(end.getModifiers())) {
                return null;
            }
            Method queued = ct.getMethod("getQueuedTaskCount");
            if (Modifier.isFinal(queued.getModifiers())) return null;
            Class<?> kind = Class.forName("dev.preempt.internal.sched.JdkCarrierThread");
            return MethodHandles.lookup().findConstructor(kind, MethodType.methodType(void.class, Carrier.class, String.class))
                    .asType(MethodType.methodType(Thread.class, Carrier.class, String.class));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LOG.log(Level.FINE, "carriers are plain threads: " + e);
            return null;
        }
    }
}
