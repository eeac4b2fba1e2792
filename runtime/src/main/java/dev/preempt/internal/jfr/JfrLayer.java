package dev.preempt.internal.jfr;

import dev.preempt.internal.sched.SchedulerCore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;

/**
 * Connects schedulers to JFR. It knows every live scheduler (through {@link SchedulerCore#onCreate})
 * and, whenever the flight recorder's state changes, decides for all of them:
 * <ul>
 *   <li>attach the {@link JfrObserver} only while some recording enables a Preempt event it makes, so
 *       that without a recording the scheduler's observer list is empty and costs nothing;</li>
 *   <li>turn slice timing on ({@link SchedulerCore#observeSlices}) only while SliceEnd is enabled.</li>
 * </ul>
 *
 * <p>Locking: {@link #refresh} runs from JFR's listener callbacks, which hold the recorder's own lock,
 * and from the periodic hook. Under this class's lock it reads only {@code EventType.isEnabled()} (a
 * volatile read, no JFR lock) and touches schedulers, so there is no lock-order cycle with JFR.
 * The event types are looked up ({@link EventTypes}, which takes JFR's metadata lock) before that.
 */
public final class JfrLayer {

    /** Mailboxes longer than this get a MailboxBacklog event (system property preempt.jfr.mailboxThreshold). */
    static final int MAILBOX_THRESHOLD = Integer.getInteger("preempt.jfr.mailboxThreshold", 1000);

    private static final Set<SchedulerCore> SCHEDULERS = Collections.newSetFromMap(new WeakHashMap<>());
    private static final Object LOCK = new Object();
    /** Created at the first attach (so JfrObserver and EventTypes load only once something records). */
    private static JfrObserver observer;
    private static boolean attached;
    private static boolean timeSlices;

    private JfrLayer() {}

    /** Called once, by {@link JfrSupport#install()}, before the first scheduler is created. */
    static void install() {
        SchedulerCore.onCreate(JfrLayer::adopt);
        // If the recorder is already up (-XX:StartFlightRecording), this calls recorderInitialized now.
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                refresh();
            }

            @Override
            public void recordingStateChanged(Recording recording) {
                refresh();
            }
        });
    }

    /** A new scheduler: remember it and give it the current state. Runs inside its constructor. */
    private static void adopt(SchedulerCore s) {
        synchronized (LOCK) {
            SCHEDULERS.add(s);
            apply(s);
        }
    }

    /** Re-reads which Preempt events are enabled and attaches or detaches accordingly. */
    static void refresh() {
        if (!FlightRecorder.isInitialized()) return; // nothing has ever recorded
        EventTypes.ensureRegistered(); // outside LOCK: it takes JFR's locks
        reapply();
    }

    /**
     * The part of {@link #refresh} that needs the events registered already: the periodic hooks call
     * it (they exist only once the events are registered, and must not wait for the registration).
     */
    static void reapply() {
        synchronized (LOCK) {
            boolean attach = EventTypes.anyObserverEventEnabled();
            boolean slices = EventTypes.SLICE_END.isEnabled();
            if (attach == attached && slices == timeSlices) return;
            if (attach && observer == null) observer = new JfrObserver();
            if (slices) SliceCommitter.ensureStarted();
            attached = attach;
            timeSlices = slices;
            for (SchedulerCore s : SCHEDULERS) apply(s);
        }
    }

    /** Holding LOCK: makes {@code s} match the current state. */
    private static void apply(SchedulerCore s) {
        if (observer != null) {
            s.removeObserver(observer); // so it is never there twice
            if (attached) s.addObserver(observer);
        }
        s.observeSlices(attached && timeSlices);
    }

    /** The schedulers still running. */
    static List<SchedulerCore> schedulers() {
        synchronized (LOCK) {
            List<SchedulerCore> out = new ArrayList<>(SCHEDULERS.size());
            for (SchedulerCore s : SCHEDULERS) {
                if (!s.isShutdown()) out.add(s);
            }
            return out;
        }
    }

    /**
     * Whether the JFR observer is attached to {@code s} now (tests).
     *
     * @param s the scheduler
     * @return true while attached
     */
    public static boolean isAttached(SchedulerCore s) {
        synchronized (LOCK) {
            return attached && SCHEDULERS.contains(s);
        }
    }
}
