package dev.preempt.test;

import dev.preempt.Call;
import dev.preempt.Down;
import dev.preempt.Exit;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process that records what it receives, for tests to assert on (Pekko's {@code TestProbe}): pass
 * {@link #ref()} to the code under test as the pid to send to, then expect messages with timeouts. It
 * traps exits, so it can also watch processes ({@link #expectDown}) and link to them
 * ({@link #expectExit}).
 *
 * <pre>{@code
 * @PreemptTest
 * void echoes() {
 *     TestProbe probe = TestProbe.create();
 *     Pid echo = Preempt.spawn(() -> { Object m = Preempt.receive(); Preempt.send(probe.ref(), m); });
 *     Preempt.send(echo, "hi");
 *     probe.expectMessage("hi", Duration.ofSeconds(1));
 *     probe.expectDown(echo, Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * Call its methods from a process (a {@link PreemptTest} body is one): they wait by parking the caller,
 * not its carrier. The probe lives in the caller's scheduler and ends with it.
 */
public final class TestProbe {

    private final Pid pid;
    private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();

    private record Watch(Pid target) {}

    private record LinkTo(Pid target) {}

    private TestProbe() {
        pid = Preempt.spawn(this::loop);
    }

    /**
     * Starts a probe in the caller's scheduler.
     *
     * @return the probe
     */
    public static TestProbe create() {
        return new TestProbe();
    }

    private void loop() {
        Preempt.trapExits(true);
        while (true) {
            Object m = Preempt.receive();
            if (m instanceof Call c && c.request() instanceof Watch w) {
                Preempt.monitor(w.target());
                Preempt.reply(c, "watching");
            } else if (m instanceof Call c && c.request() instanceof LinkTo l) {
                Preempt.link(l.target());
                Preempt.reply(c, "linked");
            } else {
                received.add(m);
                Pid w = waiter;
                if (w != null) Preempt.send(w, Nudge.NUDGE);
            }
        }
    }

    /**
     * The probe's pid: what the code under test sends to.
     *
     * @return the pid
     */
    public Pid ref() {
        return pid;
    }

    /**
     * Waits for the next message and checks it equals {@code expected}.
     *
     * @param expected the message expected
     * @param timeout how long to wait
     * @return the message
     * @throws AssertionError if none came in time or it was another one
     */
    public Object expectMessage(Object expected, Duration timeout) {
        Object m = next(timeout, "a message equal to " + expected);
        if (!Objects.equals(m, expected)) throw new AssertionError("expected message " + expected + " but got " + m);
        return m;
    }

    /**
     * Waits for the next message and checks it is of {@code type}.
     *
     * @param <T> the type
     * @param type the class expected
     * @param timeout how long to wait
     * @return the message
     * @throws AssertionError if none came in time or it was of another type
     */
    public <T> T expectMessage(Class<T> type, Duration timeout) {
        Object m = next(timeout, "a message of " + type.getName());
        if (!type.isInstance(m)) throw new AssertionError("expected a message of " + type.getName() + " but got " + m);
        return type.cast(m);
    }

    /**
     * Checks that no message comes for {@code d}.
     *
     * @param d how long to wait
     * @throws AssertionError if one came
     */
    public void expectNoMessage(Duration d) {
        Object m = poll(d);
        if (m != null) throw new AssertionError("expected no message for " + d.toMillis() + " ms but got " + m);
    }

    /**
     * Makes the probe monitor {@code target} now, once (a process already gone gives a {@code noproc} Down).
     * Call it before the process may end, then {@link #expectDown}.
     *
     * @param target the process to watch
     */
    public void watch(Pid target) {
        if (watched.add(target)) Preempt.call(pid, new Watch(target), Duration.ofSeconds(10));
    }

    /**
     * Waits for the {@link Down} of a process the probe watches (it starts watching now if it did not yet).
     * Messages that came before it are kept for later expectations.
     *
     * @param target the process
     * @param timeout how long to wait
     * @return the Down, with the process's exit reason
     * @throws AssertionError if it did not come in time
     */
    public Down expectDown(Pid target, Duration timeout) {
        Object m = find(x -> x instanceof Down d && d.pid().equals(target), timeout, "the Down of " + target, () -> watch(target));
        return (Down) m;
    }

    /**
     * Links the probe to {@code target} now, once; the probe traps exits, so the target's end comes as an
     * {@link Exit} message. Call it before the process may end, then {@link #expectExit}.
     *
     * @param target the process to link to
     */
    public void link(Pid target) {
        if (linked.add(target)) Preempt.call(pid, new LinkTo(target), Duration.ofSeconds(10));
    }

    /**
     * Waits for the {@link Exit} of a process the probe is linked to (linking now if it was not).
     *
     * @param target the process
     * @param timeout how long to wait
     * @return its exit reason
     * @throws AssertionError if it did not come in time
     */
    public ExitReason expectExit(Pid target, Duration timeout) {
        Object m = find(x -> x instanceof Exit e && target.equals(e.from()), timeout, "the exit of " + target, () -> link(target));
        return ((Exit) m).reason();
    }

    /** Processes the probe monitors or is linked to (once each: a second monitor would bring a second Down). */
    private final java.util.Set<Pid> watched = java.util.concurrent.ConcurrentHashMap.newKeySet(),
            linked = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The first message matching {@code match} (others stay queued, in order); {@code start} runs once first. */
    private Object find(java.util.function.Predicate<Object> match, Duration timeout, String what, Runnable start) {
        for (Object m : received) {
            if (match.test(m)) {
                received.remove(m);
                return m;
            }
        }
        start.run();
        long deadline = Preempt.nanoTime() + timeout.toNanos();
        java.util.List<Object> skipped = new java.util.ArrayList<>();
        try {
            while (true) {
                long left = deadline - Preempt.nanoTime();
                Object m = left <= 0 ? null : take(left);
                if (m == null) throw new AssertionError("expected " + what + " within " + timeout.toMillis() + " ms; got only " + skipped);
                if (match.test(m)) return m;
                skipped.add(m);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what);
        } finally {
            if (!skipped.isEmpty()) { // keep them first, in order
                java.util.List<Object> rest = new java.util.ArrayList<>(received);
                received.clear();
                received.addAll(skipped);
                received.addAll(rest);
            }
        }
    }

    private Object next(Duration timeout, String what) {
        Object m = poll(timeout);
        if (m == null) throw new AssertionError("expected " + what + " within " + timeout.toMillis() + " ms; none came");
        return m;
    }

    /**
     * The next message the probe received, waiting up to {@code nanos}; null if none came. Elsewhere a
     * plain timed poll of the queue; in a deterministic scheduler that would be a JDK timer and a park the
     * scheduler cannot see, so the waiting process receives instead (on the virtual clock): the probe
     * nudges it whenever it queues a message. Only one process runs at a time there, so no nudge comes
     * between clearing {@link #waiter} and flushing the nudges already sent.
     */
    private Object take(long nanos) throws InterruptedException {
        if (!Preempt.inDeterministicScheduler()) return received.poll(nanos, TimeUnit.NANOSECONDS);
        long deadline = Preempt.nanoTime() + nanos;
        waiter = Preempt.self();
        try {
            while (true) {
                Object m = received.poll();
                if (m != null) return m;
                long left = deadline - Preempt.nanoTime();
                if (left <= 0) return null;
                Preempt.receive(x -> x == Nudge.NUDGE, Duration.ofNanos(left));
            }
        } finally {
            waiter = null;
            while (Preempt.receive(x -> x == Nudge.NUDGE, Duration.ZERO).isPresent()) {
                // flushed: a nudge must not reach the waiter's own receives
            }
        }
    }

    /** The process waiting in {@link #take} in a deterministic scheduler, or null. */
    private volatile Pid waiter;

    /** Tells the waiter a message was queued. */
    private enum Nudge {
        NUDGE
    }

    private Object poll(Duration timeout) {
        try {
            return take(timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for a message");
        }
    }
}
