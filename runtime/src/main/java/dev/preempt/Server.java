package dev.preempt;

import dev.preempt.internal.sched.Entry;
import dev.preempt.internal.sched.Proc;
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

    /**
     * The initial state; runs in the new process before any message is handled.
     *
     * @return the state the first callback gets
     */
    S init();

    /**
     * A {@link Call}: reply now ({@link Result#reply}), later ({@link Result#noReply} and {@link Preempt#reply}), or stop.
     * The default throws UnsupportedOperationException, which ends the server.
     *
     * <pre>{@code
     * public Result<Map<String, String>> handleCall(Object request, Call from, Map<String, String> kv) {
     *     return switch (request) {
     *         case Get g -> Result.reply(kv.getOrDefault(g.key(), ""), kv);
     *         case Stop s -> Result.stopAndReply(ExitReason.NORMAL, "bye", kv);
     *         default -> Result.reply("unknown request", kv);
     *     };
     * }
     * }</pre>
     *
     * @param request what the caller asked ({@link Call#request()})
     * @param from the call itself, to reply to later with {@link Preempt#reply}
     * @param state the current state
     * @return the next state, and whether to reply or stop; never null
     */
    default Result<S> handleCall(Object request, Call from, S state) {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle calls (got " + request + ")");
    }

    /**
     * A {@link Cast}. The default keeps the state and ignores the message.
     *
     * @param message what was cast ({@link Cast#message()})
     * @param state the current state
     * @return the next state, or a stop; never null
     */
    default Result<S> handleCast(Object message, S state) {
        return Result.noReply(state);
    }

    /**
     * Any other message (including {@link Exit} and {@link Down}). The default keeps the state and
     * ignores the message.
     *
     * @param message the message, as received
     * @param state the current state
     * @return the next state, or a stop; never null
     */
    default Result<S> handleInfo(Object message, S state) {
        return Result.noReply(state);
    }

    /**
     * The loop ended with {@code reason}; clean up. The default does nothing.
     *
     * @param reason why the server ends: a stop's reason, the exception a callback threw, or the exit
     *        signal's reason
     * @param state the last state
     */
    default void terminate(ExitReason reason, S state) {}

    /**
     * Whether the server traps exits (so that {@code terminate} runs when its parent ends). Default false.
     *
     * @return true to trap exits from before {@code init}
     */
    default boolean trapExits() {
        return false;
    }

    /**
     * Starts {@code server} as a new process and returns once its {@code init} has run (like
     * {@code gen_server:start}); if {@code init} fails, throws an IllegalStateException with its cause.
     *
     * @param <S> the server's state
     * @param server the callbacks
     * @return the server's pid
     * @throws IllegalStateException if the server ends before its {@code init} returned
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
     *
     * @param <S> the server's state
     * @param name the name to register; null registers none
     * @param server the callbacks
     * @return the server's pid
     * @throws IllegalStateException if the name is taken or the server ends before its {@code init} returned
     */
    static <S> Pid start(String name, Server<S> server) {
        Objects.requireNonNull(server, "server");
        return Preempt.core().spawnAndAwaitReady(null, ready -> new Entry(entryOf(server),
                () -> ServerLoop.run(server, name, null, ready))).pid();
    }

    /**
     * Like {@link #start} but linked to the calling process, which must be one ({@code gen_server:start_link}).
     *
     * @param <S> the server's state
     * @param server the callbacks
     * @return the server's pid
     * @throws IllegalStateException if the caller is not a process, or the server ends before its
     *         {@code init} returned
     */
    static <S> Pid startLink(Server<S> server) {
        return startLink(null, server);
    }

    /**
     * {@link #startLink(Server)} with {@code name} registered before {@code init}, as {@link #start(String, Server)}.
     *
     * @param <S> the server's state
     * @param name the name to register; null registers none
     * @param server the callbacks
     * @return the server's pid
     * @throws IllegalStateException if the caller is not a process, the name is taken, or the server
     *         ends before its {@code init} returned
     */
    static <S> Pid startLink(String name, Server<S> server) {
        Objects.requireNonNull(server, "server");
        Proc self = Proc.require("Server.startLink");
        return self.scheduler().spawnAndAwaitReady(self, ready -> new Entry(entryOf(server),
                () -> ServerLoop.run(server, name, self.pid(), ready))).pid();
    }

    /** "server com.acme.Counter": what a server process was started as, for reports and tools. */
    private static String entryOf(Server<?> server) {
        return "server " + Entry.describe(server.getClass());
    }

    /**
     * What a callback returns: the next state, and whether to reply or stop.
     *
     * @param <S> the state
     */
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

        /**
         * Reply {@code value} to the call being handled and go on with {@code state}.
         *
         * @param <S> the state
         * @param value the reply; null is allowed
         * @param state the next state
         * @return the result
         */
        public static <S> Result<S> reply(Object value, S state) {
            return new Result<>(state, true, value, null);
        }

        /**
         * Go on with {@code state}; a call being handled gets its reply later (or never).
         *
         * @param <S> the state
         * @param state the next state
         * @return the result
         */
        public static <S> Result<S> noReply(S state) {
            return new Result<>(state, false, null, null);
        }

        /**
         * Stop with {@code reason} (a call being handled gets no reply).
         *
         * @param <S> the state
         * @param reason the server's exit reason; not null
         * @param state the state {@code terminate} gets
         * @return the result
         */
        public static <S> Result<S> stop(ExitReason reason, S state) {
            return new Result<>(state, false, null, Objects.requireNonNull(reason, "reason"));
        }

        /**
         * Reply {@code value} to the call being handled, then stop with {@code reason}.
         *
         * @param <S> the state
         * @param reason the server's exit reason; not null
         * @param value the reply; null is allowed
         * @param state the state {@code terminate} gets
         * @return the result
         */
        public static <S> Result<S> stopAndReply(ExitReason reason, Object value, S state) {
            return new Result<>(state, true, value, Objects.requireNonNull(reason, "reason"));
        }
    }
}
