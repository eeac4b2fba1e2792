/**
 * JDK Flight Recorder events for Preempt (category "Preempt"): process start and exit, slice ends,
 * pinned yields, supervisor restarts, and periodic scheduler and mailbox samples.
 *
 * <p>{@link dev.preempt.internal.jfr.JfrSupport} installs the layer from the scheduler's static
 * initialiser; {@link dev.preempt.internal.jfr.JfrLayer} attaches an observer to the schedulers only
 * while a recording enables one of these events, so with no recording the hot paths pay nothing.
 */
package dev.preempt.internal.jfr;
