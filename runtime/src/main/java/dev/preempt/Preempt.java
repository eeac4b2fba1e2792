package dev.preempt;

import dev.preempt.internal.mail.Mailbox;
import dev.preempt.internal.policy.Policies;
import dev.preempt.internal.sched.Proc;
import dev.preempt.internal.sched.SchedulerCore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Erlang's process primitives for Java: spawn, send, selective receive, links, monitors, exits and
 * names. Import it statically.
 *
 * <pre>{@code
 * import static dev.preempt.Preempt.*;
 *
 * Preempt.run(() -> {
 *     Pid echo = spawn(() -> {
 *         while (true) {
 *             if (receive() instanceof Ping p) send(p.from(), "pong");
 *         }
 *     });
 *     send(echo, new Ping(self()));
 *     String reply = receive(String.class);
 * });
 * }</pre>
 *
 * <p>Calls that wait ({@code receive}, {@code sleep}, {@code call}) must run inside a process; they
 * never hold a carrier thread while waiting. {@code spawn}, {@code send}, {@code exit} and the registry
 * work from any thread. Processes started from a plain thread go to the {@linkplain
 * Scheduler#defaultScheduler() default scheduler}; processes spawned by a process join its scheduler.
 */
public final class Preempt {

    private Preempt() {}

    // ---------------------------------------------------------------- processes

    /** Starts {@code body} as a new process and returns its pid at once. */
    public static Pid spawn(Runnable body) {
        Objects.requireNonNull(body, "body");
        return core().spawn(body).pid();
    }

    /**
     * Starts {@code body} linked to the caller; the link exists before the child runs, so a child that
     * crashes at once still takes the caller down (or sends it an {@link Exit} if it traps exits).
     */
    public static Pid spawnLink(Runnable body) {
        Objects.requireNonNull(body, "body");
        Proc self = Proc.require("spawnLink");
        return self.scheduler().spawnLinked(self, body).pid();
    }

    /** Starts {@code body} monitored by the caller; returns the child and the monitor reference. */
    public static Spawned spawnMonitor(Runnable body) {
        Objects.requireNonNull(body, "body");
        Proc self = Proc.require("spawnMonitor");
        Ref[] ref = new Ref[1];
        Proc p = self.scheduler().spawnMonitored(self, body, ref);
        return new Spawned(p.pid(), ref[0]);
    }

    /** A process started with {@link #spawnMonitor}: its pid and the monitor's reference. */
    public record Spawned(Pid pid, Ref ref) {}

    /**
     * Boots the default scheduler if needed, runs {@code root} as a process and waits for it to end.
     * Returns its exit reason. Call it from {@code main}.
     */
    public static ExitReason run(Runnable root) {
        return Scheduler.defaultScheduler().run(root);
    }

    /**
     * {@link #run} that throws an abnormal end instead of returning it (see
     * {@link Scheduler#runOrThrow}): the way to run a process from a test.
     */
    public static void runOrThrow(Runnable root) {
        Scheduler.defaultScheduler().runOrThrow(root);
    }

    /**
     * The pid of the process the caller last started by calling an {@link Process @Process} method
     * (empty if none). Per thread: each process sees its own.
     */
    public static Optional<Pid> lastSpawned() {
        return Optional.ofNullable(dev.preempt.internal.ProcessEntry.lastSpawned());
    }

    /** The calling process's pid. */
    public static Pid self() {
        return Proc.require("self").pid();
    }

    /** True when called inside a process. */
    public static boolean inProcess() {
        return Proc.current() != null;
    }

    /** True while {@code pid}'s process has not begun exiting. */
    public static boolean isAlive(Pid pid) {
        return pid.proc().isAlive();
    }

    /**
     * Gives up the rest of the caller's slice: it goes behind the other runnable processes. Under the
     * agent this happens by itself every {@code budget} reductions; without it, long loops should call
     * this now and then. (Call it qualified: {@code Preempt.yield()}.)
     */
    public static void yield() {
        Proc.require("yield").yieldSlice();
    }

    /**
     * Runs {@code call} on a thread of Preempt's blocking pool and waits for it without holding a carrier,
     * then returns its value or throws what it threw (checked exceptions keep their type). For calls that
     * block an OS thread where the JDK cannot tell (JNI and native libraries, a FIFO, a driver's own
     * socket code) or that run long in code with no tick; the scheduler's watchdog covers such calls
     * too, but only after they have held a carrier for a while (see the README, "Blocking calls").
     *
     * <pre>{@code
     * byte[] data = Preempt.blocking(() -> Files.readAllBytes(Path.of("/dev/fifo")));   // throws IOException
     * long n = Preempt.blocking(() -> nativeLibrary.crunch(input));
     * }</pre>
     *
     * <p>An exit signal that ends the waiting process (a kill, a linked crash) ends it at once: the call
     * is interrupted and whatever it returns later is dropped. Outside a process the call simply runs
     * on the calling thread. The pool grows to {@code -Dpreempt.blockingThreads} threads (256), then
     * queues calls.
     */
    public static <T, X extends Exception> T blocking(BlockingCall<T, X> call) throws X {
        Objects.requireNonNull(call, "call");
        try {
            return dev.preempt.internal.sched.BlockingPool.run(call::call);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            @SuppressWarnings("unchecked")
            X x = (X) e; // call.call() declares only X: any other checked exception cannot come from it
            throw x;
        }
    }

    /**
     * A call for {@link #blocking}: like {@link java.util.concurrent.Callable}, but the checked exception
     * it throws is a type parameter, so that {@code blocking} throws exactly that.
     */
    @FunctionalInterface
    public interface BlockingCall<T, X extends Exception> {
        T call() throws X;
    }

    /** Sleeps without holding a carrier. Exit signals still reach the process meanwhile. */
    public static void sleep(Duration d) {
        Proc.require("sleep").sleep(d.toNanos());
    }

    /** Sleeps {@code millis} milliseconds without holding a carrier. */
    public static void sleep(long millis) {
        Proc.require("sleep").sleep(millis * 1_000_000L);
    }

    // ---------------------------------------------------------------- messages

    /**
     * Sends {@code message} to {@code to}. Never blocks; a message to a dead process is dropped
     * silently. Messages from one sender to one receiver arrive in send order. The {@linkplain SendPolicy
     * send policy} decides what may be sent ({@link MessageNotSharableException} otherwise).
     */
    public static void send(Pid to, Object message) {
        Object m = Policies.admit(message);
        to.proc().deliver(m);
        chargeSend();
    }

    /** Sends to a registered name; {@link NoProcessException} if no live process has that name. */
    public static void send(String name, Object message) {
        Object m = Policies.admit(message);
        Proc p = core().registry.whereis(name);
        if (p == null) throw new NoProcessException("send: no process is registered as '" + name + "'");
        p.deliver(m);
        chargeSend();
    }

    /**
     * Every runtime operation costs a reduction, so a process that only calls the runtime in a loop
     * (sending, failing calls to a missing name) still yields its carrier when others wait, agent or not.
     */
    private static void chargeSend() {
        dev.preempt.internal.sched.Reductions.tick();
    }

    /** Waits for the oldest message and returns it. */
    public static Object receive() {
        return Proc.require("receive").receive(ANY, -1, null);
    }

    /** Waits for the oldest message of {@code type} (others stay queued, in order) and returns it. */
    public static <T> T receive(Class<T> type) {
        return type.cast(Proc.require("receive").receive(type::isInstance, -1, null));
    }

    /** Waits up to {@code timeout} for the oldest message; empty if none came. */
    public static Optional<Object> receive(Duration timeout) {
        return found(Proc.require("receive").receive(ANY, nanos(timeout), null));
    }

    /** Waits up to {@code timeout} for the oldest message of {@code type}; empty if none came. */
    public static <T> Optional<T> receive(Class<T> type, Duration timeout) {
        return found(Proc.require("receive").receive(type::isInstance, nanos(timeout), null)).map(type::cast);
    }

    /** Waits for the oldest message that {@code match} accepts; the others stay queued, in order. */
    public static Object receive(Predicate<Object> match) {
        return Proc.require("receive").receive(match, -1, null);
    }

    /**
     * Selective receive with a timeout: removes and returns the oldest message {@code match} accepts,
     * waiting up to {@code timeout} ({@link Duration#ZERO}: only look); empty if none came.
     */
    public static Optional<Object> receive(Predicate<Object> match, Duration timeout) {
        return found(Proc.require("receive").receive(match, nanos(timeout), null));
    }

    private static final Predicate<Object> ANY = m -> true;

    private static long nanos(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    private static Optional<Object> found(Object m) {
        return m == Mailbox.NO_MATCH ? Optional.empty() : Optional.of(m);
    }

    /** The policy {@link #send} applies (JVM-wide). */
    public static SendPolicy sendPolicy() {
        return Policies.current();
    }

    /** Sets the JVM-wide send policy. */
    public static void setSendPolicy(SendPolicy policy) {
        Policies.set(policy);
    }

    // ---------------------------------------------------------------- links, monitors, exits

    /**
     * Links the caller and {@code pid} both ways: when one ends with a reason other than normal, the
     * other ends too, or receives an {@link Exit} if it traps exits. Linking to a dead process throws
     * {@link NoProcessException}, or, when trapping exits, delivers {@code Exit(pid, noproc)}.
     */
    public static void link(Pid pid) {
        Proc.require("link").link(pid.proc());
    }

    /** Removes the link to {@code pid}, if any; once this returns the link has no further effect. */
    public static void unlink(Pid pid) {
        Proc.require("unlink").unlink(pid.proc());
    }

    /** Turns exit signals into {@link Exit} messages (true) or lets them end the caller (false). */
    public static void trapExits(boolean on) {
        Proc.require("trapExits").setTrapExits(on);
    }

    /** Monitors {@code pid}: a {@link Down} arrives when it ends (at once, with noproc, if it has). */
    public static Ref monitor(Pid pid) {
        return Proc.require("monitor").monitor(pid.proc());
    }

    /** Removes a monitor; no {@link Down} for it is added after this returns. */
    public static boolean demonitor(Ref ref) {
        return Proc.require("demonitor").demonitor(ref, false);
    }

    /** Removes a monitor and, with {@code flush}, a {@link Down} for it already in the mailbox. */
    public static boolean demonitor(Ref ref, boolean flush) {
        return Proc.require("demonitor").demonitor(ref, flush);
    }

    /** Ends the calling process with {@code reason} (throws {@link ProcessExit}; finally blocks run). */
    public static void exit(ExitReason reason) {
        Proc.require("exit");
        throw new ProcessExit(Objects.requireNonNull(reason, "reason"));
    }

    /**
     * Sends an exit signal to {@code pid}. {@link ExitReason#KILL} ends it whatever it does (reason
     * {@code killed}), even in an endless loop: at its next tick under the agent, at its next receive,
     * sleep or yield without. Other reasons end it unless it traps exits ({@link Exit} message then);
     * {@code normal} is ignored by a process that does not trap exits. From any thread.
     */
    public static void exit(Pid pid, ExitReason reason) {
        Objects.requireNonNull(reason, "reason");
        Proc self = Proc.current();
        Proc target = pid.proc();
        target.exitSignal(self, reason);
        if (target == self) self.drainSignals(); // a signal to oneself takes effect at once
    }

    // ---------------------------------------------------------------- request/reply

    /** The timeout of {@link #call(Pid, Object)}: 5 seconds, as OTP's. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Sends {@code request} to {@code server} as a {@link Call} and waits up to 5 s for the reply. See
     * {@link #call(Pid, Object, Duration)}.
     */
    public static Object call(Pid server, Object request) {
        return call(server, request, DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Sends {@code request} to {@code server} as a {@link Call} (tagged with a fresh reference, while
     * monitoring the server) and waits for the {@linkplain #reply reply}. Fails with a
     * {@link CallException} on timeout, if the server is not there (noproc) or dies first (its reason),
     * or if it is the caller itself. Messages that were in the mailbox before the call are not looked at
     * again while waiting, and a reply that comes after a timeout is dropped. From a plain thread (not a
     * process) a helper process makes the call and the thread waits for it.
     */
    public static Object call(Pid server, Object request, Duration timeout) {
        chargeSend();
        Object r = Policies.admit(request);
        return Proc.callFromAnywhere(server, r, nanos(timeout));
    }

    /** {@link #call(Pid, Object, Duration)} to a registered name ({@link NoProcessException} if none). */
    public static Object call(String name, Object request, Duration timeout) {
        chargeSend();
        Proc p = core().registry.whereis(name);
        if (p == null) throw new NoProcessException("call: no process is registered as '" + name + "'");
        return Proc.callFromAnywhere(p.pid(), Policies.admit(request), nanos(timeout));
    }

    /** {@link #call(Pid, Object)} to a registered name, waiting up to 5 s. */
    public static Object call(String name, Object request) {
        return call(name, request, DEFAULT_CALL_TIMEOUT);
    }

    /** Answers a {@link Call}; from any thread, at any time. A reply to a caller that gave up is dropped. */
    public static void reply(Call call, Object value) {
        Proc.replyTo(call, value == null ? null : Policies.admit(value));
        chargeSend();
    }

    /** Sends {@code message} to {@code server} as a {@link Cast}: no reply, never blocks. */
    public static void cast(Pid server, Object message) {
        server.proc().deliver(new Cast(Policies.admit(message)));
        chargeSend();
    }

    /** {@link #cast(Pid, Object)} to a registered name; {@link NoProcessException} if no live process has it. */
    public static void cast(String name, Object message) {
        Object m = Policies.admit(message);
        Proc p = core().registry.whereis(name);
        if (p == null) throw new NoProcessException("cast: no process is registered as '" + name + "'");
        p.deliver(new Cast(m));
        chargeSend();
    }

    // ---------------------------------------------------------------- names

    /**
     * Registers {@code name} for {@code pid}; {@link NoProcessException} if it is dead,
     * IllegalArgumentException if the name is taken or the pid already has one.
     */
    public static void register(String name, Pid pid) {
        core().registry.register(name, pid.proc());
    }

    /** Removes a registered name; IllegalArgumentException if it is not registered. */
    public static void unregister(String name) {
        core().registry.unregister(name);
    }

    /** The live process registered as {@code name}. */
    public static Optional<Pid> whereis(String name) {
        chargeSend();
        Proc p = core().registry.whereis(name);
        return p == null ? Optional.empty() : Optional.of(p.pid());
    }

    // ---------------------------------------------------------------- introspection

    /** A snapshot of {@code pid}'s process; empty if it has ended. */
    public static Optional<ProcessInfo> processInfo(Pid pid) {
        return ProcessInfo.of(pid.proc());
    }

    /** The live processes of the caller's scheduler (the default one outside a process). */
    public static java.util.List<Pid> processes() {
        java.util.List<Pid> out = new java.util.ArrayList<>();
        for (Proc p : core().liveProcesses()) out.add(p.pid());
        return out;
    }

    // ---------------------------------------------------------------- internals

    /** The caller's scheduler if it is a process, else the default one. */
    static SchedulerCore core() {
        Proc p = Proc.current();
        return p != null ? p.scheduler() : Scheduler.defaultScheduler().core;
    }

}
