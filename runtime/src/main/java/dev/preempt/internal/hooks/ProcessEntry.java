package dev.preempt.internal.hooks;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import dev.preempt.internal.LastSpawned;
import dev.preempt.internal.policy.Policies;
import dev.preempt.internal.sched.Entry;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agent's rewritten {@code @Process} methods call. The agent moves the original body to a
 * private synthetic method and makes the annotated method call {@link #main} or {@link #spawn} with a
 * lookup from its own class, so that no access checks are bypassed. Not for application code.
 */
public final class ProcessEntry {

    private static final ConcurrentHashMap<String, MethodHandle> BODIES = new ConcurrentHashMap<>();

    private ProcessEntry() {}

    /**
     * {@code @Process main}: runs {@code body(args)} as the root process of the default scheduler and
     * waits. A normal end returns; an abnormal one is printed and exits the JVM with status 1.
     *
     * @param caller a lookup in the annotated method's class
     * @param body the name of the synthetic method that holds {@code main}'s original body
     * @param args {@code main}'s arguments
     * @throws Throwable if the body method cannot be found (a {@link ReflectiveOperationException})
     */
    public static void main(MethodHandles.Lookup caller, String body, String[] args) throws Throwable {
        MethodHandle mh = caller.findStatic(caller.lookupClass(), body, MethodType.methodType(void.class, String[].class));
        MethodHandle spread = mh.asSpreader(Object[].class, 1);
        ExitReason r = Scheduler.defaultScheduler().run(new Entry(entryOf(caller, body), () -> invoke(spread, new Object[] {args})));
        if (r.isNormal()) return;
        Throwable t = r.exceptionCause().orElse(null);
        if (t != null) {
            System.err.print("Exception in root process of " + caller.lookupClass().getName() + ".main: ");
            t.printStackTrace();
        } else {
            System.err.println("Root process of " + caller.lookupClass().getName() + ".main exited: " + r);
        }
        System.exit(1);
    }

    /**
     * Any other {@code @Process} method: starts {@code body} as a process with {@code receiver}
     * (null for a static method) and {@code args}, and records its pid for {@link #lastSpawned()}.
     *
     * @param caller a lookup in the annotated method's class
     * @param body the name of the synthetic method that holds the original body
     * @param descriptor the body method's descriptor
     * @param receiver the instance for an instance method, or null for a static one
     * @param args the arguments, boxed; the send policy is applied to each (they may be replaced by copies)
     * @throws dev.preempt.MessageNotSharableException if the send policy refuses an argument
     */
    public static void spawn(MethodHandles.Lookup caller, String body, String descriptor, Object receiver, Object[] args) {
        // the arguments cross into another process, as a message does: the send policy applies to them
        // (the receiver is the object the method belongs to, as a lambda's captured state is)
        for (int i = 0; i < args.length; i++) args[i] = Policies.admit(args[i]);
        Object[] all = withReceiver(receiver, args);
        MethodHandle mh = body(caller, body, descriptor, receiver);
        Pid pid = Preempt.spawn(new Entry(entryOf(caller, body), () -> invoke(mh, all)));
        LastSpawned.set(pid);
    }

    /**
     * A {@code @Process} method that a test framework calls (a {@code @Test}, a set-up or tear-down): the
     * body runs as a process of the default scheduler and this returns when it ends, throwing what ended
     * it (the exception itself, checked or not; a {@link dev.preempt.ProcessFailedException} for a reason
     * with none, a kill say), so that the test fails when its process does. The
     * caller waits meanwhile, so the arguments (a {@code TestInfo}, parameters) are not copied or checked.
     * Inside a process already, the body simply runs.
     *
     * @param caller a lookup in the annotated method's class
     * @param body the name of the synthetic method that holds the original body
     * @param descriptor the body method's descriptor
     * @param receiver the instance for an instance method, or null for a static one
     * @param args the arguments, boxed
     */
    public static void await(MethodHandles.Lookup caller, String body, String descriptor, Object receiver, Object[] args) {
        Object[] all = withReceiver(receiver, args);
        MethodHandle mh = body(caller, body, descriptor, receiver);
        if (Preempt.inProcess()) {
            invoke(mh, all);
            return;
        }
        ExitReason r = Scheduler.defaultScheduler().run(new Entry(entryOf(caller, body), () -> invoke(mh, all)));
        if (r.isNormal()) return;
        Throwable t = r.exceptionCause().orElse(null);
        if (t == null) throw new dev.preempt.ProcessFailedException(r);
        throw ProcessEntry.<RuntimeException>undeclared(t); // what the test method threw, checked or not
    }

    /** "@Process com.acme.Main.worker": the annotated method, for reports and tools. */
    private static String entryOf(MethodHandles.Lookup caller, String body) {
        return "@Process " + caller.lookupClass().getName() + "." + body.substring(0, body.length() - "$preempt$body".length());
    }

    private static MethodHandle body(MethodHandles.Lookup caller, String body, String descriptor, Object receiver) {
        Class<?> owner = caller.lookupClass();
        String key = owner.getName() + '.' + body + descriptor + (receiver == null ? "S" : "I");
        return BODIES.computeIfAbsent(key, k -> find(caller, owner, body, descriptor, receiver == null));
    }

    private static Object[] withReceiver(Object receiver, Object[] args) {
        if (receiver == null) return args;
        Object[] all = new Object[args.length + 1];
        all[0] = receiver;
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    /**
     * The pid of the process this thread (or process) started last through an {@code @Process} call.
     *
     * @return the pid, or null if it started none
     */
    public static Pid lastSpawned() {
        return LastSpawned.get();
    }

    private static MethodHandle find(MethodHandles.Lookup caller, Class<?> owner, String body, String descriptor, boolean isStatic) {
        try {
            MethodType type = MethodType.fromMethodDescriptorString(descriptor, owner.getClassLoader());
            MethodHandle mh = isStatic ? caller.findStatic(owner, body, type) : caller.findSpecial(owner, body, type, owner);
            return mh.asSpreader(Object[].class, mh.type().parameterCount());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot find the body of @Process method " + owner.getName() + "." + body, e);
        }
    }

    /**
     * Runs a body. A checked exception it throws leaves as itself, undeclared (the body's method declared
     * it): the process ends with that exception, as a thread's {@code run} would print it, not with an
     * {@code UndeclaredThrowableException} around it (an {@code @Process main} that threw an
     * {@code IOException} printed the wrapper).
     */
    private static void invoke(MethodHandle mh, Object[] args) {
        try {
            mh.invokeExact(args);
        } catch (Throwable t) {
            throw ProcessEntry.<RuntimeException>undeclared(t);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T undeclared(Throwable t) throws T {
        throw (T) t;
    }
}
