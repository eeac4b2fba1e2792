package dev.preempt.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One slice held its carrier past the hand-off threshold (10 ms by default): in a blocking call, in a
 * wait pinned to the carrier's thread, or in a long call with no tick (JDK or native code, a class
 * initialiser). A spare carrier took its place meanwhile. Committed by the scheduler's watchdog thread
 * when the slice ended, so the event's own stack trace would be the watchdog's: the process's stack, as
 * the watchdog saw it when it noticed, is the {@code stack} field.
 */
@Name("dev.preempt.CarrierBlocked")
@Label("Carrier Blocked")
@Description("A process held its carrier in one slice past the hand-off threshold; a spare carrier took its place")
@Category("Preempt")
@StackTrace(false)
final class CarrierBlockedEvent extends jdk.jfr.Event {

    @Label("Pid")
    String pid;

    @Label("Carrier")
    @Description("The carrier's index in its scheduler (spares come after the scheduler's own)")
    int carrier;

    @Label("Reason")
    @Description("blocking call (the JDK marked it), pinned wait (parked on the carrier's thread), or long call (running with no tick)")
    String reason;

    @Label("Blocked For")
    @Description("How long the slice held the carrier, as the watchdog measured it (up to a period short)")
    @Timespan(Timespan.NANOSECONDS)
    long blockedFor;

    @Label("Stack")
    @Description("Where the process was when the watchdog noticed, top frames first")
    String stack;

    @Label("Scheduler")
    String scheduler;
}
