package dev.preempt.internal.jfr;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.internal.sched.Carrier;
import dev.preempt.internal.sched.Proc;
import dev.preempt.internal.sched.SchedulerCore;

/**
 * Turns scheduler callbacks into JFR events. It is attached to a scheduler only while a recording
 * enables one of its events (see {@link JfrLayer}), and each callback looks at its event type's
 * {@code isEnabled()} (one volatile read) before it allocates anything.
 */
final class JfrObserver implements SchedulerCore.Observer {

    @Override
    public void processStarted(Proc p) {
        if (!EventTypes.PROCESS_START.isEnabled()) return;
        ProcessStartEvent e = new ProcessStartEvent();
        e.pid = p.pid().toString();
        Proc parent = Proc.current(); // the spawner, if it is a process
        e.parentPid = parent == null ? null : parent.pid().toString();
        e.entry = p.entryName();
        e.scheduler = p.scheduler().name();
        e.commit();
    }

    @Override
    public void processExited(Proc p, ExitReason reason) {
        if (!EventTypes.PROCESS_EXIT.isEnabled()) return;
        ProcessExitEvent e = new ProcessExitEvent();
        e.pid = p.pid().toString();
        e.reason = reason.toString();
        e.abnormal = !reason.isNormal() && !reason.isShutdown(); // OTP's: shutdown is an orderly stop, not a crash
        e.reductions = p.reductions();
        e.lifetime = p.lifetimeNanos();
        e.preemptions = p.preemptions();
        e.pins = p.pins();
        e.stack = reason.exceptionCause().map(t -> t + "\n" + render(t.getStackTrace())).orElse(null);
        e.scheduler = p.scheduler().name();
        e.commit();
    }

    @Override
    public void sliceEnded(Proc p, Carrier carrier, int reductions, long nanos, boolean preempted) {
        if (!EventTypes.SLICE_END.isEnabled() || nanos < SliceTimeThreshold.smallest()) return;
        // Not committed here: see SliceCommitter for why a carrier must not commit it itself.
        SliceCommitter.submit(p, carrier.index(), reductions, nanos, preempted);
    }

    @Override
    public void pinned(Proc p, String reason) {
        if (!EventTypes.PINNED.isEnabled()) return;
        PinnedEvent e = new PinnedEvent();
        e.pid = p.pid().toString();
        Carrier c = p.carrier();
        e.carrier = c == null ? -1 : c.index();
        e.reason = reason != null ? reason : PinReason.ofCurrentStack(); // called inside the process: its own stack
        e.scheduler = p.scheduler().name();
        e.commit();
    }

    @Override
    public void carrierHeld(Carrier carrier, Proc p, String reason, long nanos, StackTraceElement[] stack) {
        if (!EventTypes.CARRIER_BLOCKED.isEnabled()) return;
        CarrierBlockedEvent e = new CarrierBlockedEvent();
        e.pid = p.pid().toString();
        e.carrier = carrier.index();
        e.reason = reason;
        e.blockedFor = nanos;
        e.stack = stack == null ? null : render(stack);
        e.scheduler = p.scheduler().name();
        e.commit();
    }

    /** The top frames, one per line, as a stack trace prints them. */
    private static String render(StackTraceElement[] stack) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(stack.length, 32);
        for (int i = 0; i < n; i++) b.append("at ").append(stack[i]).append('\n');
        if (stack.length > n) b.append("... ").append(stack.length - n).append(" more\n");
        return b.toString();
    }

    @Override
    public void supervisorRestart(Pid supervisor, String childId, Pid oldPid, Pid newPid, ExitReason reason) {
        if (!EventTypes.SUPERVISOR_RESTART.isEnabled()) return;
        SupervisorRestartEvent e = new SupervisorRestartEvent();
        e.supervisor = String.valueOf(supervisor);
        e.childId = childId;
        e.oldPid = oldPid == null ? null : oldPid.toString();
        e.newPid = newPid == null ? null : newPid.toString();
        e.reason = String.valueOf(reason);
        e.commit();
    }
}
