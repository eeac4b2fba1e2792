package dev.preempt.internal.mail;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A process's signal queue: many senders, one receiver (the owning process).
 *
 * <p><b>Inbox.</b> Senders push with one CAS on {@code tail} and then link the previous tail to the
 * new node (Vyukov's intrusive MPSC queue, with a CAS instead of an exchange so that the queue can be
 * closed). A sender never blocks and never waits for the receiver. Between the CAS and the link the
 * new node is pushed but not yet reachable; {@link #hasIncoming()} still reports it, so a receiver
 * about to sleep does not miss it. The queue starts without the algorithm's stub node: while nothing
 * has been pushed {@code tail} is null, and the first sender links its node into {@code firstNode}
 * instead of into a previous tail. That saves a 32-byte node per process (most processes of a large
 * system are idle; the mailbox is 8 bytes larger for the field).
 *
 * <p><b>Message list.</b> The owner drains the inbox in order: messages are appended to a private,
 * singly linked list; system signals go to a handler at once, in the same order. Selective receive
 * scans that list from the oldest message, unlinks the first match and leaves the rest in place and
 * in order. Everything but {@link #push} is called by the owner alone, so it needs no synchronisation.
 *
 * <p><b>Closing.</b> When the process exits the owner swaps {@code tail} for {@link #CLOSED}; after
 * that every push fails (the sender treats the target as dead), and the owner drains what was pushed
 * before the swap.
 */
public final class Mailbox {

    private static final VarHandle TAIL;
    private static final VarHandle FIRST;
    private static final Signal CLOSED = new Signal(-1, "closed");

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(Mailbox.class, "tail", Signal.class);
            FIRST = MethodHandles.lookup().findVarHandle(Mailbox.class, "firstNode", Signal.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Last pushed node (null while none was, or CLOSED). Written by CAS only. */
    private volatile Signal tail;
    /**
     * The first node ever pushed, linked here by its sender (release) since it had no previous tail to
     * link into; the owner takes it (acquire) and clears the field, so that it does not keep the queue's
     * consumed nodes alive.
     */
    @SuppressWarnings("unused") // through FIRST
    private Signal firstNode;

    // ---- owner only ----
    /**
     * Last node taken from the inbox (the algorithm's stub); {@code head.next} is the oldest node not yet
     * taken. Null until the first node is taken: {@link #firstNode} is then the oldest.
     */
    private Signal head;
    /** Oldest and newest message of the private list. */
    private Signal first, last;
    private int size;
    /** The node tail pointed at when the mailbox was closed (set by {@link #close()}). */
    private Signal closedAt;

    /** The owning thread, for the asserts of owner-only methods; null: not checked (a test's own mailbox). */
    private Thread owner;

    /**
     * Names the owning thread: from now on the owner-only methods assert they run on it (with {@code -ea}).
     *
     * @param t the owner (a process's own thread), set before the owner first runs
     */
    public void ownedBy(Thread t) {
        owner = t;
    }

    /** For the asserts of owner-only methods: the caller is the owner (or no owner was named). */
    private boolean ownedHere() {
        return owner == null || Thread.currentThread() == owner;
    }

    /** An empty, open mailbox. */
    public Mailbox() {}

    /**
     * Any thread. Appends {@code s}. Returns false, without enqueuing, if the mailbox is closed.
     *
     * @param s a new node, not in any queue
     * @return true if it was enqueued
     */
    public boolean push(Signal s) {
        for (;;) {
            Signal t = tail;
            if (t == CLOSED) return false;
            if (TAIL.compareAndSet(this, t, s)) {
                if (t == null) {
                    FIRST.setRelease(this, s);
                } else {
                    t.linkRelease(s);
                }
                return true;
            }
        }
    }

    /**
     * Owner. True if some signal was pushed and not yet drained (it may still be being linked).
     *
     * @return whether the inbox holds something
     */
    public boolean hasIncoming() {
        assert ownedHere() : "owner only: " + Thread.currentThread();
        Signal t = tail; // volatile read: pairs with the waker's read of the process state (Dekker)
        return t != head && t != CLOSED;
    }

    /**
     * Owner. Takes every linked signal from the inbox, in order: messages join the message list, other
     * signals go to {@code system} (which may append a message with {@link #append}, or throw, in which
     * case the rest stays in the inbox).
     *
     * @param system the handler of system signals
     */
    public void drain(Consumer<Signal> system) {
        assert ownedHere() : "owner only: " + Thread.currentThread();
        Signal n;
        while ((n = takeNext()) != null) {
            if (n.kind == Signal.MESSAGE) {
                append(n);
            } else {
                system.accept(n);
            }
        }
    }

    /** Owner. The oldest linked node not yet taken, which becomes {@link #head}; null if none is linked. */
    private Signal takeNext() {
        Signal h = head, n;
        if (h != null) {
            n = h.nextAcquire();
        } else if ((n = (Signal) FIRST.getAcquire(this)) != null) {
            FIRST.set(this, (Signal) null); // taken: from now on head leads the way
        }
        if (n != null) head = n;
        return n;
    }

    /**
     * Owner. Appends a message node (a drained system signal turned into a message, for instance).
     *
     * @param n the node, already taken from the inbox or new
     */
    public void append(Signal n) {
        assert ownedHere() : "owner only: " + Thread.currentThread();
        n.nextMsg = null;
        if (last == null) {
            first = n;
        } else {
            last.nextMsg = n;
        }
        last = n;
        size++;
    }

    /**
     * Owner. Scans the message list after {@code from} ({@code null}: from the oldest) and removes and
     * returns the payload of the first message that matches, or returns {@link #NO_MATCH}. On no match
     * {@link #lastScanned()} tells where a later scan with the same predicate may resume.
     *
     * @param from the message to scan after, or null for the oldest
     * @param match accepts the wanted payloads
     * @return the payload, or {@link #NO_MATCH}
     */
    public Object takeFirst(Signal from, Predicate<Object> match) {
        assert ownedHere() : "owner only: " + Thread.currentThread();
        Signal prev = from;
        Signal cur = from == null ? first : from.nextMsg;
        while (cur != null) {
            if (scans != Integer.MAX_VALUE) scans++;
            if (match.test(cur.payload)) {
                return unlink(prev, cur);
            }
            prev = cur;
            cur = cur.nextMsg;
        }
        scanned = prev;
        return NO_MATCH;
    }

    /** Returned by {@link #takeFirst} when nothing matched. */
    public static final Object NO_MATCH = new Object() {
        @Override
        public String toString() {
            return "NO_MATCH";
        }
    };

    private Signal scanned;
    /**
     * Messages a receive pattern was tested against, ever (owner-written; introspection and tests). An int
     * that stops at its maximum: as a long it made every mailbox 8 bytes larger (56 bytes, now 48).
     */
    private int scans;

    /**
     * How many times a receive pattern was tested against a message in this mailbox, up to
     * {@code Integer.MAX_VALUE}.
     *
     * @return the count
     */
    public long scans() {
        return scans;
    }

    /**
     * Owner. The last message the latest unsuccessful {@link #takeFirst} looked at (null if none).
     *
     * @return the message's node, or null
     */
    public Signal lastScanned() {
        return scanned;
    }

    /**
     * Owner. The newest message now in the list: a receive marker (null when the list is empty).
     *
     * @return the message's node, or null
     */
    public Signal newest() {
        return last;
    }

    /**
     * Owner. Removes the first message equal to {@code payload} test; used by demonitor's flush.
     *
     * @param match accepts the message to remove
     * @return true if one was removed
     */
    public boolean removeFirst(Predicate<Object> match) {
        assert ownedHere() : "owner only: " + Thread.currentThread();
        return takeFirst(null, match) != NO_MATCH;
    }

    private Object unlink(Signal prev, Signal cur) {
        Signal after = cur.nextMsg;
        if (prev == null) {
            first = after;
        } else {
            prev.nextMsg = after;
        }
        if (last == cur) last = prev;
        size--;
        Object payload = cur.payload;
        cur.payload = null; // the node may stay on as the inbox stub; do not keep the message alive
        cur.nextMsg = null;
        return payload;
    }

    /**
     * Owner. The messages in the list now, oldest first (not counting what is still in the inbox).
     *
     * @return an unmodifiable copy of their payloads
     */
    public java.util.List<Object> messages() {
        assert ownedHere() : "owner only: " + Thread.currentThread();
        java.util.List<Object> out = new java.util.ArrayList<>(size);
        for (Signal s = first; s != null; s = s.nextMsg) out.add(s.payload);
        return java.util.Collections.unmodifiableList(out);
    }

    /**
     * Any thread, best effort: messages queued plus signals pushed but not yet drained. Exact only when
     * the owner is not running; used for introspection and backlog sampling.
     *
     * @return the approximate count
     */
    public int approximateLength() {
        int n = size;
        Signal s = head;
        if (s == null) { // nothing taken yet: count from the first node, if there is one
            s = (Signal) FIRST.getAcquire(this);
            if (s == null) return Math.max(n, 0);
            n++;
        }
        for (int guard = 0; guard < 1_000_000; guard++) {
            s = s.nextAcquire();
            if (s == null || s == CLOSED) break;
            n++;
        }
        return Math.max(n, 0);
    }

    /** Owner, at exit. From now on every {@link #push} fails. */
    public void close() {
        assert ownedHere() : "owner only: " + Thread.currentThread();
        for (;;) {
            Signal t = tail;
            if (t == CLOSED) return;
            if (TAIL.compareAndSet(this, t, CLOSED)) {
                closedAt = t;
                return;
            }
        }
    }

    /**
     * Owner, after {@link #close()}: hands every signal pushed before the close to {@code each}
     * (messages too), waiting for senders that won their CAS but have not linked yet; then forgets the
     * message list.
     *
     * @param each gets every signal pushed before the close, in order
     */
    public void drainClosed(Consumer<Signal> each) {
        assert ownedHere() : "owner only: " + Thread.currentThread();
        while (head != closedAt) { // closedAt is null if nothing was ever pushed; head is then null too
            Signal n = takeNext();
            if (n == null) {
                Thread.onSpinWait(); // a sender is between its CAS and its link: a few instructions
                continue;
            }
            each.accept(n);
        }
        first = last = null;
        size = 0;
    }
}
