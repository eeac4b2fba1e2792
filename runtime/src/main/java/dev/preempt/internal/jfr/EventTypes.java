package dev.preempt.internal.jfr;

import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

/**
 * Handles on the Preempt event types, and the periodic events' registration. This class is
 * initialised when the flight recorder first starts (see {@link JfrLayer}), not before: a JVM that
 * never records never registers the events.
 */
final class EventTypes {

    static final EventType PROCESS_START = EventType.getEventType(ProcessStartEvent.class);
    static final EventType PROCESS_EXIT = EventType.getEventType(ProcessExitEvent.class);
    static final EventType SLICE_END = EventType.getEventType(SliceEndEvent.class);
    static final EventType PINNED = EventType.getEventType(PinnedEvent.class);
    static final EventType SUPERVISOR_RESTART = EventType.getEventType(SupervisorRestartEvent.class);
    static final EventType CARRIER_BLOCKED = EventType.getEventType(CarrierBlockedEvent.class);

    private static volatile boolean periodicRegistered;

    private EventTypes() {}

    /**
     * Registers the event types and the periodic events, once; call it holding no lock of ours (it
     * takes JFR's). The periodic hooks are added after this class is initialised, so a hook that runs
     * at once never waits for this class's initialisation.
     */
    static void ensureRegistered() {
        if (periodicRegistered) return;
        synchronized (EventTypes.class) {
            if (periodicRegistered) return;
            FlightRecorder.addPeriodicEvent(SchedulerSampleEvent.class, Samplers::sampleSchedulers);
            FlightRecorder.addPeriodicEvent(MailboxBacklogEvent.class, Samplers::sampleMailboxes);
            periodicRegistered = true;
        }
    }

    /** Whether a recording wants any event that the {@link JfrObserver} makes. */
    static boolean anyObserverEventEnabled() {
        return PROCESS_START.isEnabled() || PROCESS_EXIT.isEnabled() || SLICE_END.isEnabled()
                || PINNED.isEnabled() || SUPERVISOR_RESTART.isEnabled() || CARRIER_BLOCKED.isEnabled();
    }
}
