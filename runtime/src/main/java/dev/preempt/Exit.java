package dev.preempt;

/**
 * The message a process that traps exits receives instead of dying: the linked process {@code from}
 * ended, or someone called {@code exit(self, reason)}. Erlang's {@code {'EXIT', From, Reason}}.
 *
 * <pre>{@code
 * Preempt.trapExits(true);
 * Pid child = Preempt.spawnLink(() -> { throw new IllegalStateException("boom"); });
 * Exit e = Preempt.receive(Exit.class);   // e.from() == child, e.reason() is the exception
 * }</pre>
 *
 * @param from the process the signal came from: the linked process that ended, or the sender of
 *        {@code exit(pid, reason)}; null when that was sent from a plain thread
 * @param reason its exit reason, or the signal's reason
 */
public record Exit(Pid from, ExitReason reason) {}
