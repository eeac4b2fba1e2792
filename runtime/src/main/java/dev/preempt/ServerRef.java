package dev.preempt;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A typed handle on a {@link Server}: its requests are {@code Req}, its replies {@code Resp}, so a call
 * needs no cast (Pekko Typed's {@code ActorRef<T>} for request/reply). The untyped {@link Preempt#call}
 * stays for Erlang-style code. A handle names a pid, or a registered name looked up at each call.
 *
 * <pre>{@code
 * sealed interface CounterRequest permits Add, Get {}
 * record Add(int n) implements CounterRequest {}
 * record Get() implements CounterRequest {}
 *
 * ServerRef<CounterRequest, Integer> counter = ServerRef.of(Server.start(new Counter()), CounterRequest.class, Integer.class);
 * counter.cast(new Add(2));
 * int n = counter.call(new Get());
 * }</pre>
 *
 * @param <Req> what the server is sent (calls and casts)
 * @param <Resp> what it replies to a call
 */
public final class ServerRef<Req, Resp> {

    private final Pid pid;
    private final String name;
    private final Class<Resp> replyType;

    private ServerRef(Pid pid, String name, Class<Resp> replyType) {
        this.pid = pid;
        this.name = name;
        this.replyType = Objects.requireNonNull(replyType, "replyType");
    }

    /**
     * A handle on the server {@code pid}. {@code requestType} only fixes {@code Req} for the compiler.
     *
     * @param <Req> what the server is sent
     * @param <Resp> what it replies to a call
     * @param pid the server
     * @param requestType the class of {@code Req}
     * @param replyType the class of {@code Resp}; each reply is checked against it
     * @return the handle
     */
    public static <Req, Resp> ServerRef<Req, Resp> of(Pid pid, Class<Req> requestType, Class<Resp> replyType) {
        return new ServerRef<>(Objects.requireNonNull(pid, "pid"), null, replyType);
    }

    /**
     * A handle on whichever process is registered as {@code name} at each call.
     *
     * <pre>{@code
     * ServerRef<CounterRequest, Integer> counter = ServerRef.named("counter", CounterRequest.class, Integer.class);
     * }</pre>
     *
     * @param <Req> what the server is sent
     * @param <Resp> what it replies to a call
     * @param name the server's registered name
     * @param requestType the class of {@code Req}
     * @param replyType the class of {@code Resp}; each reply is checked against it
     * @return the handle
     */
    public static <Req, Resp> ServerRef<Req, Resp> named(String name, Class<Req> requestType, Class<Resp> replyType) {
        return new ServerRef<>(null, Objects.requireNonNull(name, "name"), replyType);
    }

    /**
     * Calls the server and waits up to 5 s; see {@link Preempt#call(Pid, Object, Duration)}.
     *
     * @param request what to ask
     * @return the server's reply
     * @throws CallException if no reply came (a {@link NoProcessException} if no process holds a named
     *         handle's name)
     * @throws ClassCastException if the reply is not a {@code Resp}
     */
    public Resp call(Req request) {
        return call(request, Preempt.DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Calls the server and waits up to {@code timeout}. A reply that is not a {@code Resp} is the server
     * breaking its protocol: a ClassCastException saying what came.
     *
     * @param request what to ask
     * @param timeout how long to wait for the reply
     * @return the server's reply
     * @throws CallException if no reply came (a {@link NoProcessException} if no process holds a named
     *         handle's name)
     * @throws ClassCastException if the reply is not a {@code Resp}
     */
    public Resp call(Req request, Duration timeout) {
        Object reply = pid != null ? Preempt.call(pid, request, timeout) : Preempt.call(name, request, timeout);
        if (reply != null && !replyType.isInstance(reply)) {
            throw new ClassCastException("server " + this + " replied to " + request + " with a "
                    + reply.getClass().getName() + ", not a " + replyType.getName() + ": " + reply);
        }
        return replyType.cast(reply);
    }

    /**
     * Casts {@code message} to the server (no reply, never blocks).
     *
     * @param message what to cast
     * @throws NoProcessException if no process holds a named handle's name
     */
    public void cast(Req message) {
        if (pid != null) Preempt.cast(pid, message);
        else Preempt.cast(name, message);
    }

    /**
     * The server's pid now (a named handle looks it up: empty if no process holds the name).
     *
     * @return the pid, or empty
     */
    public Optional<Pid> pid() {
        return pid != null ? Optional.of(pid) : Preempt.whereis(name);
    }

    @Override
    public String toString() {
        return pid != null ? pid.toString() : "'" + name + "'";
    }
}
