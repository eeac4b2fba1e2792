package dev.preempt.dist.internal;

import dev.preempt.Pid;
import dev.preempt.Ref;
import java.util.concurrent.ConcurrentHashMap;

/**
 * gen_server calls from other nodes that a local process has not answered yet: the {@link Ref} of the
 * {@link dev.preempt.Call} it received, to the remote caller and the tag its reply must carry (OTP 24+
 * tags are {@code [alias | Ref]}). An entry goes when the call is answered; a call never answered stays
 * (as a caller that timed out leaves nothing on BEAM either, this is the one leak: a server that never
 * replies). Thread-safe.
 */
final class GenCalls {

    /** Who waits for a reply, and with which tag. */
    record Caller(Pid from, Object tag) {}

    private final ConcurrentHashMap<Ref, Caller> waiting = new ConcurrentHashMap<>();

    /** Records a call; returns the tag of the {@link dev.preempt.Call} to deliver. */
    Ref put(Pid from, Object tag) {
        Ref r = Ref.make();
        waiting.put(r, new Caller(from, tag));
        return r;
    }

    /** The caller of the call tagged {@code r}, removed; null if unknown or answered already. */
    Caller take(Ref r) {
        return waiting.remove(r);
    }
}
