package dev.preempt.internal.sched;

/**
 * The OS thread a {@link Carrier} runs on, of whichever kind {@link CarrierThreads} chose. A carrier and
 * its host are made together and stay together for life; the host's {@code run} is the carrier's loop.
 */
interface CarrierHost {

    /** The carrier this thread runs. */
    Carrier carrier();

    /** The carrier whose thread is the caller, or null (a process's thread, or any other). */
    static Carrier current() {
        return Thread.currentThread() instanceof CarrierHost h ? h.carrier() : null;
    }
}
