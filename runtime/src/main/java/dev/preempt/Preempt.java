package dev.preempt;

import dev.preempt.internal.LastSpawned;
import dev.preempt.internal.RemoteRouting;
import dev.preempt.internal.mail.Mailbox;
import dev.preempt.internal.policy.Policies;
import dev.preempt.internal.sched.BlockingPool;
import dev.preempt.internal.sched.Budget;
import dev.preempt.internal.sched.Proc;
import dev.preempt.internal.sched.SchedulerCore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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

    /**
     * Starts {@code body} as a new process and returns its pid at once.
     *
     * <pre>{@code
     * Pid worker = spawn(() -> {
     *     while (true) System.out.println("got " + receive());
     * });
     * send(worker, "hello");
     * }</pre>
     *
     * @param body what the process runs; the process ends normally when it returns
     * @return the new process's pid
     */
    public static Pid spawn(Runnable body) {
        Objects.requireNonNull(body, "body");
        Proc.signalsFirst(); // a killed process starts nothing (see chargeSend)
        return core().spawn(body).pid();
    }

    /**
     * Starts {@code body} linked to the caller; the link exists before the child runs, so a child that
     * crashes at once still takes the caller down (or sends it an {@link Exit} if it traps exits).
     *
     * @param body what the child runs
     * @return the child's pid
     * @throws IllegalStateException if the caller is not a process
     */
    public static Pid spawnLink(Runnable body) {
        Objects.requireNonNull(body, "body");
        Proc self = Proc.require("spawnLink");
        Proc.signalsFirst();
        return self.scheduler().spawnLinked(self, body).pid();
    }

    /**
     * Starts {@code body} monitored by the caller; returns the child and the monitor reference. The
     * monitor exists before the child runs, so a child that ends at once still sends its {@link Down}.
     *
     * <pre>{@code
     * Spawned s = spawnMonitor(() -> compute());
     * Down d = receive(Down.class);   // d.ref().equals(s.ref()) when the child ends
     * }</pre>
     *
     * @param body what the child runs
     * @return the child's pid and the reference its {@link Down} will carry
     * @throws IllegalStateException if the caller is not a process
     */
    public static Spawned spawnMonitor(Runnable body) {
        Objects.requireNonNull(body, "body");
        Proc self = Proc.require("spawnMonitor");
        var child = self.scheduler().spawnMonitored(self, body);
        return new Spawned(child.proc().pid(), child.ref());
    }

    /**
     * A process started with {@link #spawnMonitor}: its pid and the monitor's reference.
     *
     * @param pid the child
     * @param ref the monitor's reference, which the child's {@link Down} carries
     */
    public record Spawned(Pid pid, Ref ref) {}

    /**
     * Boots the default scheduler if needed, runs {@code root} as a process and waits for it to end.
     * Returns its exit reason. Call it from {@code main}.
     *
     * <pre>{@code
     * public static void main(String[] args) {
     *     ExitReason r = Preempt.run(() -> System.out.println("in " + self()));
     *     if (!r.isNormal()) System.exit(1);
     * }
     * }</pre>
     *
     * @param root what the root process runs
     * @return the reason the root process ended with
     * @throws IllegalStateException if called inside a process (a process uses {@link #spawn})
     */
    public static ExitReason run(Runnable root) {
        return Scheduler.defaultScheduler().run(root);
    }

    /**
     * {@link #run} that throws an abnormal end instead of returning it (see
     * {@link Scheduler#runOrThrow}): the way to run a process from a test.
     *
     * @param root what the root process runs
     * @throws ProcessFailedException if the root ends abnormally with a reason that is not an unchecked
     *         exception (an unchecked exception that ended it is rethrown as it was)
     * @throws IllegalStateException if called inside a process
     */
    public static void runOrThrow(Runnable root) {
        Scheduler.defaultScheduler().runOrThrow(root);
    }

    /**
     * The pid of the process the caller last started by calling an {@link Process @Process} method
     * (empty if none). Per thread: each process sees its own.
     *
     * @return the pid of the process this thread last started through an {@code @Process} method, or
     *         empty if it started none
     */
    public static Optional<Pid> lastSpawned() {
        return Optional.ofNullable(LastSpawned.get());
    }

    /**
     * The calling process's pid.
     *
     * @return the caller's pid
     * @throws IllegalStateException if the caller is not a process
     */
    public static Pid self() {
        return Proc.require("self").pid();
    }

    /**
     * True when called inside a process.
     *
     * @return whether the calling thread is a process's own thread
     */
    public static boolean inProcess() {
        return Proc.current() != null;
    }

    /**
     * True while {@code pid}'s process has not begun exiting.
     *
     * @param pid the process to look at
     * @return false once the process has begun exiting (its exit signals may still be going out)
     */
    public static boolean isAlive(Pid pid) {
        return pid.proc().isAlive();
    }

    /**
     * Gives up the rest of the caller's slice: it goes behind the other runnable processes. Under the
     * agent this happens by itself every {@code budget} reductions; without it, long loops should call
     * this now and then. (Call it qualified: {@code Preempt.yield()}.)
     *
     * <pre>{@code
     * for (long i = 0; i < n; i++) {
     *     step(i);
     *     if (i % 10_000 == 0) Preempt.yield();   // only needed without the agent
     * }
     * }</pre>
     *
     * @throws IllegalStateException if the caller is not a process
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
     *
     * @param <T> what the call returns
     * @param <X> the checked exception the call may throw
     * @param call the blocking work
     * @return what {@code call} returned
     * @throws X what {@code call} threw
     */
    public static <T, X extends Exception> T blocking(BlockingCall<T, X> call) throws X {
        Objects.requireNonNull(call, "call");
        try {
            return BlockingPool.run(call::call);
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
     *
     * @param <T> what the call returns
     * @param <X> the checked exception it may throw
     */
    @FunctionalInterface
    public interface BlockingCall<T, X extends Exception> {
        /**
         * Does the blocking work, on a thread of the blocking pool.
         *
         * @return the result {@link #blocking} returns
         * @throws X the failure {@link #blocking} throws
         */
        T call() throws X;
    }

    /**
     * Sleeps without holding a carrier. Exit signals still reach the process meanwhile.
     *
     * @param d how long to sleep (zero or negative: not at all)
     * @throws IllegalStateException if the caller is not a process
     */
    public static void sleep(Duration d) {
        Proc.require("sleep").sleep(d.toNanos());
    }

    /**
     * Sleeps {@code millis} milliseconds without holding a carrier.
     *
     * @param millis how long to sleep, in milliseconds (zero or negative: not at all)
     * @throws IllegalStateException if the caller is not a process
     */
    public static void sleep(long millis) {
        Proc.require("sleep").sleep(millis * 1_000_000L);
    }

    // ---------------------------------------------------------------- messages

    /**
     * Whether the caller is a process of a deterministic scheduler ({@link Scheduler.Builder#deterministic}),
     * where time is virtual and only its processes' actions are scheduled: a helper that would wait on a
     * plain queue or a JDK timer (which the scheduler cannot see) can wait with {@link #sleep} instead.
     *
     * <pre>{@code
     * if (Preempt.inDeterministicScheduler()) Preempt.sleep(1); else queue.poll(1, MILLISECONDS);
     * }</pre>
     *
     * @return true inside a deterministic scheduler's process
     */
    public static boolean inDeterministicScheduler() {
        Proc p = Proc.current();
        return p != null && p.scheduler().deterministic() != null;
    }

    /**
     * The time processes see, in nanoseconds from an arbitrary origin (compare differences only, as with
     * {@link System#nanoTime()}): real time, or a deterministic scheduler's virtual time, which the
     * timeouts of {@code receive}, {@code call} and {@code sleep} follow. Outside a process, the default
     * scheduler's (real) time.
     *
     * <pre>{@code
     * long t0 = Preempt.nanoTime();
     * Preempt.sleep(Duration.ofHours(1));
     * long slept = Preempt.nanoTime() - t0;   // an hour, in a deterministic scheduler at once
     * }</pre>
     *
     * @return the caller's scheduler's time
     */
    public static long nanoTime() {
        Proc p = Proc.current();
        return p != null ? p.scheduler().nanoTime() : System.nanoTime();
    }

    /**
     * Sends {@code message} to {@code to}. Never blocks; a message to a dead process is dropped
     * silently. Messages from one sender to one receiver arrive in send order. The {@linkplain SendPolicy
     * send policy} decides what may be sent ({@link MessageNotSharableException} otherwise). A
     * {@linkplain Pid#isRemote() remote pid} is reached through the distribution module's connection to
     * its node (dropped if no node runs in this JVM); the message is then encoded in the external term
     * format, and a value with no mapping fails the send (see {@code preempt-dist}).
     *
     * @param to the receiver
     * @param message what to send; not null
     * @throws MessageNotSharableException if the send policy refuses {@code message}
     */
    public static void send(Pid to, Object message) {
        Object m = Policies.admit(message);
        chargeSend();
        if (to.isRemote()) {
            RemoteRouting.send(to, m);
        } else {
            to.proc().deliver(m);
        }
    }

    /**
     * Sends to a registered name; {@link NoProcessException} if no live process has that name.
     *
     * <pre>{@code
     * register("logger", spawn(Logger::loop));
     * send("logger", "started");
     * }</pre>
     *
     * @param name the receiver's registered name
     * @param message what to send; not null
     * @throws NoProcessException if no live process is registered as {@code name}
     * @throws MessageNotSharableException if the send policy refuses {@code message}
     */
    public static void send(String name, Object message) {
        Object m = Policies.admit(message);
        chargeSend();
        Proc p = core().registry.whereis(name);
        if (p == null) throw new NoProcessException("send: no process is registered as '" + name + "'");
        p.deliver(m);
    }

    /**
     * Every runtime operation costs a reduction, so a process that only calls the runtime in a loop
     * (sending, failing calls to a missing name) still yields its carrier when others wait, agent or not.
     * A send first acts on system signals the sender has not looked at yet ({@code Budget.spendToSend}):
     * an exit that came while it was in a JDK call (a {@code lock()}, an interrupted {@code sleep}) lands
     * here, so a killed process sends nothing, as in BEAM; the lines after such a call otherwise run with
     * no tick before them.
     */
    private static void chargeSend() {
        Budget.spendToSend();
    }

    /**
     * Waits for the oldest message and returns it.
     *
     * @return the message, removed from the mailbox
     * @throws IllegalStateException if the caller is not a process
     */
    public static Object receive() {
        return Proc.require("receive").receive(ANY, -1, null);
    }

    /**
     * Waits for the oldest message of {@code type} (others stay queued, in order) and returns it.
     *
     * <pre>{@code
     * Exit e = receive(Exit.class);
     * }</pre>
     *
     * @param <T> the message type
     * @param type the class the message must be an instance of
     * @return the message, removed from the mailbox
     * @throws IllegalStateException if the caller is not a process
     */
    public static <T> T receive(Class<T> type) {
        return type.cast(Proc.require("receive").receive(type::isInstance, -1, null));
    }

    /**
     * Waits up to {@code timeout} for the oldest message; empty if none came.
     *
     * @param timeout how long to wait ({@link Duration#ZERO}: only look)
     * @return the message, removed from the mailbox, or empty if none came in time
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if the caller is not a process
     */
    public static Optional<Object> receive(Duration timeout) {
        return found(Proc.require("receive").receive(ANY, nanos(timeout), null));
    }

    /**
     * Waits up to {@code timeout} for the oldest message of {@code type}; empty if none came.
     *
     * <pre>{@code
     * Optional<String> reply = receive(String.class, Duration.ofSeconds(1));
     * }</pre>
     *
     * @param <T> the message type
     * @param type the class the message must be an instance of
     * @param timeout how long to wait ({@link Duration#ZERO}: only look)
     * @return the message, removed from the mailbox, or empty if none came in time
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if the caller is not a process
     */
    public static <T> Optional<T> receive(Class<T> type, Duration timeout) {
        return found(Proc.require("receive").receive(type::isInstance, nanos(timeout), null)).map(type::cast);
    }

    /**
     * Waits for the oldest message that {@code match} accepts; the others stay queued, in order.
     *
     * <pre>{@code
     * Object m = receive(x -> x instanceof Down d && d.ref().equals(ref));
     * }</pre>
     *
     * @param match accepts the messages wanted
     * @return the message, removed from the mailbox
     * @throws IllegalStateException if the caller is not a process
     */
    public static Object receive(Predicate<Object> match) {
        return Proc.require("receive").receive(match, -1, null);
    }

    /**
     * Selective receive with a timeout: removes and returns the oldest message {@code match} accepts,
     * waiting up to {@code timeout} ({@link Duration#ZERO}: only look); empty if none came.
     *
     * @param match accepts the messages wanted
     * @param timeout how long to wait
     * @return the message, removed from the mailbox, or empty if none came in time
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if the caller is not a process
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

    /**
     * The policy {@link #send} applies (JVM-wide).
     *
     * @return the current send policy: {@link SendPolicy#IMMUTABLE} unless the agent option {@code send=},
     *         {@code -Dpreempt.send} or {@link #setSendPolicy} chose another
     */
    public static SendPolicy sendPolicy() {
        return Policies.current();
    }

    /**
     * Sets the JVM-wide send policy.
     *
     * @param policy the policy every later send, call, cast and reply applies; not null
     */
    public static void setSendPolicy(SendPolicy policy) {
        Policies.set(policy);
    }

    // ---------------------------------------------------------------- links, monitors, exits

    /**
     * Links the caller and {@code pid} both ways: when one ends with a reason other than normal, the
     * other ends too, or receives an {@link Exit} if it traps exits. Linking to a dead process throws
     * {@link NoProcessException}, or, when trapping exits, delivers {@code Exit(pid, noproc)}.
     *
     * @param pid the process to link to; linking to oneself, or again to a linked process, does nothing
     * @throws NoProcessException if {@code pid} is dead and the caller does not trap exits
     * @throws IllegalStateException if the caller is not a process
     */
    public static void link(Pid pid) {
        Proc self = Proc.require("link");
        if (pid.isRemote()) {
            RemoteRouting.require("link").link(pid);
            return;
        }
        self.link(pid.proc());
    }

    /**
     * Removes the link to {@code pid}, if any; once this returns the link has no further effect.
     *
     * @param pid the linked process
     * @throws IllegalStateException if the caller is not a process
     */
    public static void unlink(Pid pid) {
        Proc self = Proc.require("unlink");
        if (pid.isRemote()) {
            RemoteRouting.require("unlink").unlink(pid);
            return;
        }
        self.unlink(pid.proc());
    }

    /**
     * Turns exit signals into {@link Exit} messages (true) or lets them end the caller (false).
     * {@link ExitReason#KILL} ends the caller either way.
     *
     * @param on whether to trap exits from now on
     * @throws IllegalStateException if the caller is not a process
     */
    public static void trapExits(boolean on) {
        Proc.require("trapExits").setTrapExits(on);
    }

    /**
     * Sets the caller's scheduling priority, Erlang's {@code process_flag(priority, Level)}: a runnable
     * {@link Priority#HIGH} process is taken before every {@code NORMAL} one, {@code LOW} runs after
     * them (see {@link Priority}). Takes effect the next time the caller is queued (its next wait,
     * yield or preemption).
     *
     * <pre>{@code
     * Priority before = Preempt.setPriority(Priority.HIGH);
     * }</pre>
     *
     * @param priority the new priority
     * @return the caller's priority until now
     * @throws IllegalStateException if the caller is not a process
     */
    public static Priority setPriority(Priority priority) {
        Objects.requireNonNull(priority, "priority");
        return Proc.require("setPriority").setPriority(priority);
    }

    /**
     * Monitors {@code pid}: a {@link Down} arrives when it ends (at once, with noproc, if it has).
     *
     * <pre>{@code
     * Ref ref = monitor(worker);
     * Down d = (Down) receive(m -> m instanceof Down x && x.ref().equals(ref));
     * }</pre>
     *
     * @param pid the process to watch
     * @return the monitor's reference, which its {@link Down} carries and {@link #demonitor} takes
     * @throws IllegalStateException if the caller is not a process
     */
    public static Ref monitor(Pid pid) {
        Proc self = Proc.require("monitor");
        if (pid.isRemote()) return RemoteRouting.require("monitor").monitor(pid);
        return self.monitor(pid.proc());
    }

    /**
     * Removes a monitor; no {@link Down} for it is added after this returns.
     *
     * @param ref the reference {@link #monitor} returned
     * @return true if the monitor was still active; false if it was not the caller's or its {@link Down}
     *         had already been delivered
     * @throws IllegalStateException if the caller is not a process
     */
    public static boolean demonitor(Ref ref) {
        return demonitor(ref, false);
    }

    /**
     * Removes a monitor and, with {@code flush}, a {@link Down} for it already in the mailbox.
     *
     * @param ref the reference {@link #monitor} returned
     * @param flush whether to remove a {@link Down} for {@code ref} that is already in the mailbox
     * @return true if the monitor was still active; false if it was not the caller's or its {@link Down}
     *         had already been delivered
     * @throws IllegalStateException if the caller is not a process
     */
    public static boolean demonitor(Ref ref, boolean flush) {
        Proc self = Proc.require("demonitor");
        RemoteRouting.Router r = RemoteRouting.current();
        if (r != null && r.demonitor(ref)) { // a monitor of a remote process
            if (flush) receive(m -> m instanceof Down d && d.ref().equals(ref), Duration.ZERO);
            return true;
        }
        return self.demonitor(ref, flush);
    }

    /**
     * Ends the calling process with {@code reason} (throws {@link ProcessExit}; finally blocks run).
     *
     * @param reason why the process ends; its links and monitors are told this reason
     * @throws ProcessExit always: it carries {@code reason} out of the process's body
     * @throws IllegalStateException if the caller is not a process
     */
    public static void exit(ExitReason reason) {
        Proc.require("exit");
        throw new ProcessExit(Objects.requireNonNull(reason, "reason"));
    }

    /**
     * Sends an exit signal to {@code pid}. {@link ExitReason#KILL} ends it whatever it does (reason
     * {@code killed}), even in an endless loop: at its next tick under the agent, at its next receive,
     * sleep or yield without. Other reasons end it unless it traps exits ({@link Exit} message then);
     * {@code normal} is ignored by a process that does not trap exits. From any thread.
     *
     * <pre>{@code
     * Preempt.exit(worker, ExitReason.KILL);
     * }</pre>
     *
     * @param pid the process to signal; a signal to a dead process is dropped
     * @param reason the signal's reason
     */
    public static void exit(Pid pid, ExitReason reason) {
        Objects.requireNonNull(reason, "reason");
        Proc.signalsFirst(); // a killed process sends no exit signal either
        if (pid.isRemote()) {
            RemoteRouting.require("exit").exit(pid, reason);
            return;
        }
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
     *
     * @param server the process to ask
     * @param request what to ask; not null
     * @return the server's reply (null if it replied null)
     * @throws CallException if no reply came: timeout, no such process, the server died, or it is the caller
     * @throws MessageNotSharableException if the send policy refuses {@code request}
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
     *
     * <pre>{@code
     * try {
     *     Object balance = call(account, new Balance(), Duration.ofMillis(500));
     * } catch (CallException e) {
     *     if (e.isTimeout()) ...
     * }
     * }</pre>
     *
     * @param server the process to ask
     * @param request what to ask; not null
     * @param timeout how long to wait for the reply
     * @return the server's reply (null if it replied null)
     * @throws CallException if no reply came: {@linkplain CallException#isTimeout() timeout},
     *         {@linkplain CallException#isNoProc() no such process} (a {@link NoProcessException}),
     *         {@linkplain CallException#serverExited() the server died}, or the server is the caller
     * @throws MessageNotSharableException if the send policy refuses {@code request}
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static Object call(Pid server, Object request, Duration timeout) {
        chargeSend();
        Object r = Policies.admit(request);
        if (server.isRemote()) return RemoteRouting.require("call").call(server, r, nanos(timeout));
        return Proc.callFromAnywhere(server, r, nanos(timeout));
    }

    /**
     * {@link #call(Pid, Object, Duration)} to a registered name ({@link NoProcessException} if none).
     *
     * @param name the server's registered name, looked up now
     * @param request what to ask; not null
     * @param timeout how long to wait for the reply
     * @return the server's reply (null if it replied null)
     * @throws NoProcessException if no live process is registered as {@code name}
     * @throws CallException if no reply came (see {@link #call(Pid, Object, Duration)})
     * @throws MessageNotSharableException if the send policy refuses {@code request}
     */
    public static Object call(String name, Object request, Duration timeout) {
        chargeSend();
        Proc p = core().registry.whereis(name);
        if (p == null) throw new NoProcessException("call: no process is registered as '" + name + "'");
        return Proc.callFromAnywhere(p.pid(), Policies.admit(request), nanos(timeout));
    }

    /**
     * {@link #call(Pid, Object)} to a registered name, waiting up to 5 s.
     *
     * <pre>{@code
     * Object hits = call("cache", "stats");
     * }</pre>
     *
     * @param name the server's registered name, looked up now
     * @param request what to ask; not null
     * @return the server's reply (null if it replied null)
     * @throws NoProcessException if no live process is registered as {@code name}
     * @throws CallException if no reply came (see {@link #call(Pid, Object, Duration)})
     * @throws MessageNotSharableException if the send policy refuses {@code request}
     */
    public static Object call(String name, Object request) {
        return call(name, request, DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Answers a {@link Call}; from any thread, at any time. A reply to a caller that gave up is dropped.
     *
     * @param call the request being answered, as the server received it
     * @param value the reply; null is allowed (the caller's {@code call} returns null)
     * @throws MessageNotSharableException if the send policy refuses {@code value}
     */
    public static void reply(Call call, Object value) {
        Object v = value == null ? null : Policies.admit(value);
        chargeSend();
        Proc.replyTo(call, v);
    }

    /**
     * Sends {@code message} to {@code server} as a {@link Cast}: no reply, never blocks.
     *
     * @param server the receiver; a cast to a dead process is dropped
     * @param message what to cast; not null
     * @throws MessageNotSharableException if the send policy refuses {@code message}
     */
    public static void cast(Pid server, Object message) {
        Cast c = new Cast(Policies.admit(message));
        chargeSend();
        if (server.isRemote()) RemoteRouting.send(server, c); // goes out as {'$gen_cast', Message}
        else server.proc().deliver(c);
    }

    /**
     * {@link #cast(Pid, Object)} to a registered name; {@link NoProcessException} if no live process has it.
     *
     * @param name the receiver's registered name
     * @param message what to cast; not null
     * @throws NoProcessException if no live process is registered as {@code name}
     * @throws MessageNotSharableException if the send policy refuses {@code message}
     */
    public static void cast(String name, Object message) {
        Object m = Policies.admit(message);
        chargeSend();
        Proc p = core().registry.whereis(name);
        if (p == null) throw new NoProcessException("cast: no process is registered as '" + name + "'");
        p.deliver(new Cast(m));
    }

    // ---------------------------------------------------------------- names

    /**
     * Registers {@code name} for {@code pid}; {@link NoProcessException} if it is dead,
     * IllegalArgumentException if the name is taken or the pid already has one.
     * The name goes when the process begins exiting.
     *
     * <pre>{@code
     * register("cache", spawn(Cache::loop));
     * Optional<Pid> cache = whereis("cache");
     * }</pre>
     *
     * @param name the name; not empty
     * @param pid the process to name
     * @throws NoProcessException if {@code pid} is dead
     * @throws IllegalArgumentException if {@code name} is empty or taken, or {@code pid} already has a name
     */
    public static void register(String name, Pid pid) {
        core().registry.register(name, pid.proc());
    }

    /**
     * Removes a registered name; IllegalArgumentException if it is not registered.
     *
     * @param name the name to remove
     * @throws IllegalArgumentException if no process is registered as {@code name}
     */
    public static void unregister(String name) {
        core().registry.unregister(name);
    }

    /**
     * The live process registered as {@code name}.
     *
     * @param name the name to look up
     * @return its process, or empty if no live process holds the name
     */
    public static Optional<Pid> whereis(String name) {
        chargeSend();
        Proc p = core().registry.whereis(name);
        return p == null ? Optional.empty() : Optional.of(p.pid());
    }

    // ---------------------------------------------------------------- introspection

    /**
     * The messages waiting in {@code pid}'s mailbox, oldest first: Erlang's
     * {@code process_info(Pid, messages)}, for tests and tools. The process takes the snapshot itself,
     * when it next handles its signals (at once if it waits in {@code receive}, else at its next tick),
     * so it holds every message sent to it before this call and not yet received; a receive that is
     * waiting goes on waiting. The list is unmodifiable; the messages are the ones in the mailbox
     * (under the default send policy, immutable).
     *
     * <pre>{@code
     * Pid p = spawn(() -> receive(m -> m.equals("go")));
     * send(p, "a"); send(p, "b");
     * messagesOf(p, Duration.ofSeconds(1));   // Optional[[a, b]]
     * }</pre>
     *
     * @param pid the process to look at (of this JVM)
     * @param timeout how long to wait for the process to answer
     * @return its queued messages; empty if it has ended, or did not answer in time (it runs code that
     *         handles no signals: a long JDK call, a lock)
     * @throws InterruptedException if the caller is interrupted while waiting
     */
    public static Optional<List<Object>> messagesOf(Pid pid, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        Proc self = Proc.current();
        if (self != null && !pid.isRemote() && pid.proc() == self) return Optional.of(self.ownMessages()); // it cannot answer itself
        try {
            return Optional.ofNullable(pid.proc().inspectMailbox().get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * A snapshot of {@code pid}'s process; empty if it has ended.
     *
     * @param pid the process to look at
     * @return what it is doing now, or empty if it has begun exiting
     */
    public static Optional<ProcessInfo> processInfo(Pid pid) {
        return ProcessInfo.of(pid.proc());
    }

    /**
     * The live processes of the caller's scheduler (the default one outside a process).
     *
     * @return their pids, in no particular order (a snapshot)
     */
    public static List<Pid> processes() {
        return core().livePids();
    }

    // ---------------------------------------------------------------- internals

    /** The caller's scheduler if it is a process, else the default one. */
    static SchedulerCore core() {
        Proc p = Proc.current();
        return p != null ? p.scheduler() : Scheduler.defaultScheduler().core;
    }

}
