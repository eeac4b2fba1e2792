package dev.preempt;

/**
 * A request made with {@link Preempt#call}: what the server receives. Answer it with
 * {@link Preempt#reply(Call, Object)}, now or later. {@link Server} does this for you.
 *
 * <pre>{@code
 * Object m = Preempt.receive();
 * if (m instanceof Call c && c.request() instanceof String q) Preempt.reply(c, q.length());
 * }</pre>
 *
 * @param tag the reference that pairs the reply with this request (also the caller's monitor on the server)
 * @param from the caller
 * @param request what it asked
 */
public record Call(Ref tag, Pid from, Object request) {}
