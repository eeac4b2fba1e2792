package dev.preempt;

import dev.preempt.internal.RemoteRouting;
import dev.preempt.internal.sched.Proc;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one process, like Erlang's {@code process_info/1}. Taken from another process or
 * thread it is a best-effort view of a moving target; taken by the process about itself it is exact
 * (but for its own stack, which shows the call that took it).
 *
 * <pre>{@code
 * Preempt.processInfo(worker).ifPresent(i ->
 *     System.out.println(i.pid() + " " + i.state() + " mailbox=" + i.mailboxLength() + " reductions=" + i.reductions()));
 * }</pre>
 *
 * @param pid the process
 * @param state what it is doing
 * @param reductions reductions spent so far in finished slices
 * @param mailboxLength messages waiting (and signals not yet looked at)
 * @param links processes linked to it (on other nodes too, when this JVM is a node)
 * @param monitors processes it monitors (on other nodes too)
 * @param monitoredBy processes that monitor it (on other nodes too)
 * @param registeredName its registered name, if any
 * @param trapExits whether it turns exit signals into {@link Exit} messages
 * @param priority its scheduling priority ({@link Preempt#setPriority})
 * @param preemptions slices it was preempted at (its budget ran out)
 * @param pins yields that were refused (pinned: a native frame such as a class initialiser)
 * @param entry what it was started as, Erlang's initial call: {@code server com.acme.Counter},
 *        {@code @Process com.acme.Main.worker}, {@code worker 'cache' of supervisor <0.4.0>: ...},
 *        {@code com.acme.Main (lambda)}
 * @param stack its current stack, innermost first (empty if it cannot be had)
 */
public record ProcessInfo(Pid pid, State state, long reductions, int mailboxLength, List<Pid> links,
        List<Pid> monitors, List<Pid> monitoredBy, Optional<String> registeredName, boolean trapExits,
        Priority priority, long preemptions, long pins, String entry, List<StackTraceElement> stack) {

    /** A process's state. */
    public enum State {
        /** Mounted on a carrier now. */
        RUNNING,
        /** Queued, waiting for a carrier. */
        RUNNABLE,
        /** In receive, sleep, or a blocking JDK call. */
        WAITING,
        /** Ending: its exit signals are going out. */
        EXITING,
        /** Ended. */
        DEAD
    }

    static Optional<ProcessInfo> of(Proc p) {
        if (!p.isAlive()) return Optional.empty();
        Pid pid = p.pid();
        // Links and monitors across nodes live in the distribution layer, when a node runs in this JVM.
        RemoteRouting.Router r = RemoteRouting.current();
        return Optional.of(new ProcessInfo(pid, p.state(), p.reductions(), p.mailboxLength(),
                both(p.linkedPids(), r == null ? List.of() : r.remoteLinks(pid)),
                both(p.monitoredPids(), r == null ? List.of() : r.remoteMonitors(pid)),
                r == null ? p.monitoredByPids()
                        : both(p.monitoredByPids().stream().filter(m -> !r.isHelper(m)).toList(), r.remoteMonitoredBy(pid)),
                Optional.ofNullable(p.registeredName()), p.trapsExits(), p.priority(),
                p.preemptions(), p.pins(), p.entryName(), List.of(p.stackTrace())));
    }

    private static List<Pid> both(List<Pid> local, List<Pid> remote) {
        if (remote.isEmpty()) return List.copyOf(local);
        List<Pid> all = new java.util.ArrayList<>(local);
        all.addAll(remote);
        return List.copyOf(all);
    }
}
