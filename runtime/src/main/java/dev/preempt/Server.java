package dev.preempt;

import dev.preempt.internal.sched.Entry;
import java.util.Objects;

/**
 * A server behaviour in the spirit of OTP's {@code gen_server}: a process that keeps a state and
 * answers {@link Call calls}, {@link Cast casts} and other messages one at a time. Implement the
 * callbacks you need and start it with {@link #start} or {@link #startLink}.
 *
 * <pre>{@code
 * Server<Integer> counter = new Server<>() {
 *     public Integer init() { return 0; }
 *     public Result<Integer> handleCall(Object request, Call from, Integer n) {
 *         return Result.reply(n, n);                     // "get": reply with the count
 *     }
 *     public Result<Integer> handleCast(Object message, Integer n) {
 *         return Result.noReply(n + 1);                  // "increment"
 *     }
 * };
 * Pid pid = Server.start(counter);
 * Preempt.cast(pid, "increment");
 * int n = (Integer) Preempt.call(pid, "get");
 * }</pre>
 *
 * <p>{@code terminate} runs when the loop ends: a callback returned {@link Result#stop}, threw, or an
 * exit signal ended the process (the server traps exits if it asked to with {@link #trapExits()}, and
 * then ends when the process that started it with {@code startLink} ends) — but not after a kill, which
 * cannot be intercepted.
 *
 * @param <S> the state
 */
public interface Server<S> {

    /** The initial state; runs in the new process before any message is handled. */
    S init();

    /** A {@link Call}: reply now ({@link Result#reply}), later ({@link Result#noReply} and {@link Preempt#reply}), or stop. */
    default Result<S> handleCall(Object request, Call from, S state) {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle calls (got " + request + ")");
    }

    /** A {@link Cast}. */
    default Result<S> handleCast(Object message, S state) {
        return Result.noReply(state);
    }

    /** Any other message (including {@link Exit} and {@link Down}). */
    default Result<S> handleInfo(Object message, S state) {
        return Result.noReply(state);
    }

    /** The loop ended with {@code reason}; clean up. */
    default void terminate(ExitReason reason, S state) {}

    /** Whether the server traps exits (so that {@code terminate} runs when its parent ends). Default false. */
    default boolean trapExits() {
        return false;
    }

    /**
     * Starts {@code server} as a new process and returns once its {@code init} has run (like
     * {@code gen_server:start}); if {@code init} fails, throws an IllegalStateException with its cause.
     */
    static <S> Pid start(Server<S> server) {
        return start(null, server);
    }

    /**
     * Like {@link #start}, with {@code name} registered for the server before its {@code init} runs
     * ({@code gen_server:start({local, Name}, ...)}): the name is there as soon as this returns, and if it
     * is taken the start fails (IllegalStateException) and no server is left running.
     *
     * <pre>{@code
     * Server.start("counter", new Counter());
     * Preempt.call("counter", "get");
     * }</pre>
     */
    static <S> Pid start(String name, Server<S> server) {
        Objects.requireNonNull(server, "server");
        return Preempt.core().spawnAndAwaitReady(null, ready -> new Entry(entryOf(server),
                () -> ServerLoop.run(server, name, null, ready))).pid();
    }

    /** Like {@link #start} but linked to the calling process, which must be one ({@code gen_server:start_link}). */
    static <S> Pid startLink(Server<S> server) {
        return startLink(null, server);
    }

    /** {@link #startLink(Server)} with {@code name} registered before {@code init}, as {@link #start(String, Server)}. */
    static <S> Pid startLink(String name, Server<S> server) {
        Objects.requireNonNull(server, "server");
        dev.preempt.internal.sched.Proc self = dev.preempt.internal.sched.Proc.require("Server.startLink");
        return self.scheduler().spawnAndAwaitReady(self, ready -> new Entry(entryOf(server),
                () -> ServerLoop.run(server, name, self.pid(), ready))).pid();
    }

    /** "server com.acme.Counter": what a server process was started as, for reports and tools. */
    private static String entryOf(Server<?> server) {
        return "server " + Entry.describe(server.getClass());
    }

    /** What a callback returns: the next state, and whether to reply or stop. */
    final class Result<S> {
        final S state;
        final boolean replies;
        final Object reply;
        final ExitReason stop;

        private Result(S state, boolean replies, Object reply, ExitReason stop) {
            this.state = state;
            this.replies = replies;
            this.reply = reply;
            this.stop = stop;
        }

        /** Reply {@code value} to the call being handled and go on with {@code state}. */
        public static <S> Result<S> reply(Object value, S state) {
            return new Result<>(state, true, value, null);
        }

        /** Go on with {@code state}; a call being handled gets its reply later (or never). */
        public static <S> Result<S> noReply(S state) {
            return new Result<>(state, false, null, null);
        }

        /** Stop with {@code reason} (a call being handled gets no reply). */
        public static <S> Result<S> stop(ExitReason reason, S state) {
            return new Result<>(state, false, null, Objects.requireNonNull(reason, "reason"));
        }

        /** Reply {@code value} to the call being handled, then stop with {@code reason}. */
        public static <S> Result<S> stopAndReply(ExitReason reason, Object value, S state) {
            return new Result<>(state, true, value, Objects.requireNonNull(reason, "reason"));
        }
    }
}
