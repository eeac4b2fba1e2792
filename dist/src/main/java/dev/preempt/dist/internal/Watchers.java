package dev.preempt.dist.internal;

import dev.preempt.Pid;
import dev.preempt.Ref;
import dev.preempt.internal.sched.ApiAccess;
import dev.preempt.internal.sched.Proc;
import dev.preempt.internal.sched.SchedulerCore;
import java.util.function.Consumer;

/**
 * Spawns a watcher process that already monitors a local process when this returns. A LINK or
 * MONITOR_P from a peer is followed on the connection by whatever the peer sent next, and a message it
 * sends after linking (or that its message makes another process send) must find the monitor in place:
 * the MONITOR signal is in the watched process's mailbox before anything sent after this call. Set up
 * by the watcher once it ran, a local process that failed at once was already gone, and the peer got
 * {@code noproc} instead of the real reason (ErlangInteropTest's links test, about 1 run in 10).
 * Thread-safe: any thread (a connection's reader, a process).
 */
final class Watchers {

    private Watchers() {}

    /**
     * A new process on {@code watched}'s scheduler that monitors {@code watched} from the start and then
     * runs {@code body} with the monitor's reference.
     *
     * @param watched a local process
     * @param body what the watcher does, given the monitor's reference (a noproc Down if {@code watched} is gone)
     * @return the watcher's pid
     */
    static Pid spawnMonitoring(Pid watched, Consumer<Ref> body) {
        Proc target = ApiAccess.procOf(watched);
        SchedulerCore core = target.scheduler();
        Ref[] monitor = new Ref[1];
        Proc watcher = core.create(() -> body.accept(monitor[0]));
        // Owner-only state of a process that has not started: its creator may set it, and Thread.start
        // publishes it to the watcher.
        monitor[0] = watcher.monitor(target);
        core.start(watcher);
        return watcher.pid();
    }
}
