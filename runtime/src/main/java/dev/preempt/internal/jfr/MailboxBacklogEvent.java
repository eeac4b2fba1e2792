package dev.preempt.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * Periodic: one event per live process whose mailbox holds more than
 * {@link JfrLayer#MAILBOX_THRESHOLD} messages (system property {@code preempt.jfr.mailboxThreshold}).
 */
@Name("dev.preempt.MailboxBacklog")
@Label("Mailbox Backlog")
@Description("A process whose mailbox is longer than the threshold (system property preempt.jfr.mailboxThreshold, default 1000)")
@Category("Preempt")
@Period("1 s")
@StackTrace(false)
final class MailboxBacklogEvent extends jdk.jfr.Event {

    @Label("Pid")
    String pid;

    @Label("Mailbox Length")
    @Description("Messages waiting, and signals not yet looked at")
    int mailboxLength;

    @Label("Threshold")
    int threshold;

    @Label("Registered Name")
    String registeredName;

    @Label("State")
    @Description("running, runnable, waiting, exiting")
    String state;

    @Label("Scheduler")
    String scheduler;
}
