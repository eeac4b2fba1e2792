package dev.preempt;

/**
 * The message a monitor delivers when its target ends: Erlang's
 * {@code {'DOWN', Ref, process, Pid, Reason}}. The reason is {@link ExitReason#NOPROC} if the target
 * was already gone when the monitor was set.
 *
 * <pre>{@code
 * Ref ref = Preempt.monitor(worker);
 * Down d = Preempt.receive(Down.class);   // d.ref().equals(ref)
 * }</pre>
 *
 * @param ref the monitor's reference, as {@link Preempt#monitor} returned it
 * @param pid the process that ended
 * @param reason why it ended ({@link ExitReason#NOPROC} if it was gone already)
 */
public record Down(Ref ref, Pid pid, ExitReason reason) {}
