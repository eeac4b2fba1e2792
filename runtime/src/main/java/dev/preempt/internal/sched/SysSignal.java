package dev.preempt.internal.sched;

import dev.preempt.Pid;
import dev.preempt.Ref;
import dev.preempt.internal.mail.Signal;

/**
 * A system signal between processes (links, exits, monitors). It travels in the same queue as the
 * sender's messages, so that one sender's signals take effect in the order sent.
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

    /** The sending process (for DOWN: the monitored process). */
    final Proc from;
    /** The monitor, for MONITOR, DEMONITOR and DOWN. */
    final Ref ref;
    /** The unlink operation, for UNLINK and UNLINK_ACK. */
    final long id;
    /** For EXIT from a process of another node (from is then null): its pid. */
    final Pid remoteFrom;

    SysSignal(int kind, Proc from, Object payload, Ref ref, long id) {
        this(kind, from, payload, ref, id, null);
    }

    SysSignal(int kind, Proc from, Object payload, Ref ref, long id, Pid remoteFrom) {
        super(kind, payload);
        this.from = from;
        this.ref = ref;
        this.id = id;
        this.remoteFrom = remoteFrom;
    }
}
