package dev.preempt.dist.internal.jfr;

import java.util.function.Supplier;

/**
 * The distribution's JFR events: {@code dev.preempt.NodeUp}, {@code dev.preempt.NodeDown} (with the
 * connection's traffic totals) and the periodic {@code dev.preempt.DistributionSample} (per
 * connection, every second by default). Costs a flag check per connection change when no recording
 * runs; nothing per message (connections count frames and bytes in plain fields their one reader and
 * one writer own). If the JDK has no {@code jdk.jfr} module the events are off. Thread-safe.
 */
public final class DistJfr {

    /** One connection's numbers, as the periodic event reads them. */
    public interface Traffic {
        /**
         * The peer's name.
         *
         * @return the peer's name
         */
        String node();

        /**
         * Frames read.
         *
         * @return frames read
         */
        long framesIn();

        /**
         * Frames written.
         *
         * @return frames written
         */
        long framesOut();

        /**
         * Bytes read.
         *
         * @return bytes read
         */
        long bytesIn();

        /**
         * Bytes written.
         *
         * @return bytes written
         */
        long bytesOut();

        /**
         * Frames waiting to be written.
         *
         * @return frames waiting to be written
         */
        long queued();
    }

    private static final boolean AVAILABLE = available();

    private DistJfr() {}

    private static boolean available() {
        try {
            return ModuleLayer.boot().findModule("jdk.jfr").isPresent() && Class.forName("jdk.jfr.Event") != null;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Registers the periodic sample (once per node).
     *
     * @param connections what to sample: the node's current connections
     * @return a handle that removes the hook, or null if JFR is not available
     */
    public static Runnable registerSampler(Supplier<Iterable<? extends Traffic>> connections) {
        if (!AVAILABLE) return null;
        Runnable hook = () -> {
            for (Traffic t : connections.get()) {
                DistributionSampleEvent e = new DistributionSampleEvent();
                e.node = t.node();
                e.framesIn = t.framesIn();
                e.framesOut = t.framesOut();
                e.bytesIn = t.bytesIn();
                e.bytesOut = t.bytesOut();
                e.queued = t.queued();
                e.commit();
            }
        };
        jdk.jfr.FlightRecorder.addPeriodicEvent(DistributionSampleEvent.class, hook);
        return () -> jdk.jfr.FlightRecorder.removePeriodicEvent(hook);
    }

    /**
     * A connection came up.
     *
     * @param node the peer
     * @param initiated whether this node connected
     */
    public static void nodeUp(String node, boolean initiated) {
        if (!AVAILABLE) return;
        NodeUpEvent e = new NodeUpEvent();
        if (!e.isEnabled()) return;
        e.node = node;
        e.initiated = initiated;
        e.commit();
    }

    /**
     * A connection that was up went down.
     *
     * @param t its traffic totals
     * @param reason why
     */
    public static void nodeDown(Traffic t, String reason) {
        if (!AVAILABLE) return;
        NodeDownEvent e = new NodeDownEvent();
        if (!e.isEnabled()) return;
        e.node = t.node();
        e.reason = reason;
        e.framesIn = t.framesIn();
        e.framesOut = t.framesOut();
        e.bytesIn = t.bytesIn();
        e.bytesOut = t.bytesOut();
        e.commit();
    }
}
