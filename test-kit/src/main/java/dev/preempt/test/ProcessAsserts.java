package dev.preempt.test;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Ref;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Waiting for processes in tests. */
public final class ProcessAsserts {

    private ProcessAsserts() {}

    /**
     * Waits until {@code pid} has ended and returns its exit reason ({@code noproc} if it was gone
     * already). Call it from a process: it monitors {@code pid} and waits in {@code receive} for that
     * Down alone; other messages stay in the mailbox.
     *
     * <pre>{@code
     * assertEquals(ExitReason.NORMAL, ProcessAsserts.awaitExit(worker, Duration.ofSeconds(5)));
     * }</pre>
     *
     * @param pid the process
     * @param timeout how long to wait
     * @return its exit reason
     * @throws AssertionError if it is still alive after {@code timeout}
     */
    public static ExitReason awaitExit(Pid pid, Duration timeout) {
        Ref ref = Preempt.monitor(pid);
        Optional<Object> m = Preempt.receive(x -> x instanceof Down d && d.ref().equals(ref), timeout);
        if (m.isEmpty()) {
            Preempt.demonitor(ref);
            throw new AssertionError(pid + " was still alive after " + timeout.toMillis() + " ms"
                    + Preempt.processInfo(pid).map(i -> " (" + i.state() + ", mailbox " + i.mailboxLength() + ", in " + i.entry() + ")")
                            .orElse(""));
        }
        return ((Down) m.get()).reason();
    }

    /**
     * How many messages wait in {@code pid}'s mailbox now (racy: a snapshot), 0 if it has ended.
     *
     * @param pid the process
     * @return the mailbox length
     */
    public static int mailboxLength(Pid pid) {
        return Preempt.processInfo(pid).map(i -> i.mailboxLength()).orElse(0);
    }

    /**
     * A read-only view of {@code pid}'s mailbox: the messages waiting in it, oldest first, taken by the
     * process itself ({@link Preempt#messagesOf}); nothing is received or reordered.
     *
     * <pre>{@code
     * assertThat(ProcessAsserts.messagesOf(worker)).containsExactly(new Job(1), new Job(2));
     * }</pre>
     *
     * @param pid the process
     * @return its queued messages
     * @throws AssertionError if it has ended, or did not answer within 5 s
     */
    public static List<Object> messagesOf(Pid pid) {
        try {
            return Preempt.messagesOf(pid, Duration.ofSeconds(5))
                    .orElseThrow(() -> new AssertionError("no mailbox to look into: " + pid + (Preempt.isAlive(pid)
                            ? " is alive but did not answer in 5 s (it runs code that handles no signals: a long JDK call, a lock)"
                            : " has ended")));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while looking into " + pid + "'s mailbox", e);
        }
    }
}
