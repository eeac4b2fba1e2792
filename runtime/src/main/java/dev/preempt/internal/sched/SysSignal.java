package dev.preempt.internal.sched;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Ref;
import dev.preempt.internal.mail.Signal;

/**
 * A system signal between processes (links, exits, monitors, call replies). It travels in the same
 * queue as the sender's messages, so that one sender's signals take effect in the order sent.
 *
 * <p>Immutable once made; made by any thread (its sender) with one of the factories below, read by the
 * receiving process alone, when it drains its mailbox (see {@link Signals}). Each factory names the
 * fields its kind uses; the others are null or 0.
 */
final class SysSignal extends Signal {

    static final int LINK = 1;
    static final int UNLINK = 2;
    static final int UNLINK_ACK = 3;
    static final int EXIT = 4;       // payload: ExitReason
    static final int EXIT_LINK = 5;  // an exit signal that comes from a link; payload: ExitReason
    static final int MONITOR = 6;
    static final int DEMONITOR = 7;
    static final int DOWN = 8;       // payload: ExitReason
    static final int REPLY = 9;      // payload: the reply; ref: the call's tag
    static final int INSPECT = 10;   // payload: the future that gets a snapshot of the message list

    /** The sending process (for DOWN: the monitored process; null for REPLY and a remote EXIT). */
    final Proc from;
    /** The monitor, for MONITOR, DEMONITOR and DOWN; the call's tag for REPLY. */
    final Ref ref;
    /** The unlink operation, for UNLINK and UNLINK_ACK. */
    final long id;
    /** For EXIT from a process of another node (from is then null): its pid. */
    final Pid remoteFrom;

    private SysSignal(int kind, Proc from, Object payload, Ref ref, long id, Pid remoteFrom) {
        super(kind, payload);
        this.from = from;
        this.ref = ref;
        this.id = id;
        this.remoteFrom = remoteFrom;
    }

    /** {@code from} links to the receiver. */
    static SysSignal link(Proc from) {
        return new SysSignal(LINK, from, null, null, 0, null);
    }

    /** {@code from} unlinks from the receiver; unlink operation {@code id}, acknowledged with {@link #unlinkAck}. */
    static SysSignal unlink(Proc from, long id) {
        return new SysSignal(UNLINK, from, null, null, id, null);
    }

    /** {@code from} has removed its side of the link that unlink operation {@code id} removed. */
    static SysSignal unlinkAck(Proc from, long id) {
        return new SysSignal(UNLINK_ACK, from, null, null, id, null);
    }

    /** An exit signal ({@code exit/2}) from {@code from}, or from no process if it is null. */
    static SysSignal exit(Proc from, ExitReason reason) {
        return new SysSignal(EXIT, from, reason, null, 0, null);
    }

    /** An exit signal from a process of another node. */
    static SysSignal remoteExit(Pid from, ExitReason reason) {
        return new SysSignal(EXIT, null, reason, null, 0, from);
    }

    /** The exit signal a process sends its links when it ends ({@code from} ended with {@code reason}). */
    static SysSignal exitLink(Proc from, ExitReason reason) {
        return new SysSignal(EXIT_LINK, from, reason, null, 0, null);
    }

    /** {@code from} sets monitor {@code ref} on the receiver. */
    static SysSignal monitor(Proc from, Ref ref) {
        return new SysSignal(MONITOR, from, null, ref, 0, null);
    }

    /** {@code from} removes monitor {@code ref} it had set on the receiver. */
    static SysSignal demonitor(Proc from, Ref ref) {
        return new SysSignal(DEMONITOR, from, null, ref, 0, null);
    }

    /** Monitor {@code ref} fired: {@code of}, the monitored process, ended with {@code reason}. */
    static SysSignal down(Proc of, Ref ref, ExitReason reason) {
        return new SysSignal(DOWN, of, reason, ref, 0, null);
    }

    /** The reply to the receiver's call tagged {@code tag}. */
    static SysSignal reply(Ref tag, Object value) {
        return new SysSignal(REPLY, null, value, tag, 0, null);
    }

    /** Asks the receiver for a snapshot of its message list, which completes {@code answer}. */
    static SysSignal inspect(java.util.concurrent.CompletableFuture<java.util.List<Object>> answer) {
        return new SysSignal(INSPECT, null, answer, null, 0, null);
    }

    /** The future of an INSPECT. */
    @SuppressWarnings("unchecked")
    java.util.concurrent.CompletableFuture<java.util.List<Object>> answer() {
        return (java.util.concurrent.CompletableFuture<java.util.List<Object>>) payload();
    }

    /** The reason of an EXIT, EXIT_LINK or DOWN. */
    ExitReason reason() {
        return (ExitReason) payload();
    }

    /** The kind's name, for traces: {@code link}, {@code exit-link}, ... */
    static String nameOf(int kind) {
        return switch (kind) {
            case LINK -> "link";
            case UNLINK -> "unlink";
            case UNLINK_ACK -> "unlink-ack";
            case EXIT -> "exit";
            case EXIT_LINK -> "exit-link";
            case MONITOR -> "monitor";
            case DEMONITOR -> "demonitor";
            case DOWN -> "down";
            case REPLY -> "reply";
            case INSPECT -> "inspect";
            default -> "signal " + kind;
        };
    }
}
