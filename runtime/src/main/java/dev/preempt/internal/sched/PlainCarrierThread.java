package dev.preempt.internal.sched;

/**
 * A carrier's thread as a plain platform thread: used where the JDK's own carrier kind cannot be (see
 * {@link CarrierThreads}). The JDK then does not say when a process enters a blocking call; the
 * {@link Watchdog} still hands a carrier off once it has been held too long.
 */
final class PlainCarrierThread extends Thread implements CarrierHost {

    private final Carrier carrier;

    PlainCarrierThread(Carrier carrier, String name, long stackSize) {
        super(null, null, name, stackSize);
        this.carrier = carrier;
        setDaemon(true);
    }

    @Override
    public Carrier carrier() {
        return carrier;
    }

    @Override
    public void run() {
        carrier.loop();
    }
}
