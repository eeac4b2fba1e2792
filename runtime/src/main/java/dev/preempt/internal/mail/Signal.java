package dev.preempt.internal.mail;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One entry of a process's signal queue: a message, or a system signal (link, exit, monitor, ...).
 * Messages and system signals from one sender travel through the same queue, so the receiver sees
 * their effects in send order (the design's signal-order contract).
 *
 * <p>A node has two links: {@code next} threads the lock-free inbox that senders push onto, and
 * {@code nextMsg} threads the receiver's private message list. A node taken from the inbox stays the
 * inbox's stub (a sender may still link behind it) while it sits in the message list, so the two
 * lists cannot share one link.
 */
public class Signal {

    /** The kind of a node that carries a message; system signal kinds are other numbers. */
    public static final int MESSAGE = 0;

    static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Signal.class, "next", Signal.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Inbox link; written once by the sender that pushed the following node (release), read by the owner (acquire). */
    @SuppressWarnings("unused")
    private volatile Signal next;
    /** Private message-list link; owner only. */
    Signal nextMsg;
    /** {@link #MESSAGE} or a system signal kind defined by the process layer. */
    public final int kind;
    /**
     * The message, or the signal's argument. Written once here, and cleared by the mailbox alone when the
     * node leaves the message list (the node may stay on as the inbox stub): read it through
     * {@link #payload()} outside this package.
     */
    Object payload;

    /**
     * A node not yet in any queue.
     *
     * @param kind {@link #MESSAGE} or a system signal kind
     * @param payload the message, or the signal's argument
     */
    public Signal(int kind, Object payload) {
        this.kind = kind;
        this.payload = payload;
    }

    /**
     * Returns the message, or the signal's argument (null once the mailbox has taken the message out).
     *
     * @return the payload
     */
    public final Object payload() {
        return payload;
    }

    Signal nextAcquire() {
        return (Signal) NEXT.getAcquire(this);
    }

    void linkRelease(Signal n) {
        NEXT.setRelease(this, n);
    }
}
