package dev.preempt.internal.jfr;

import dev.preempt.internal.sched.Carrier;
import dev.preempt.internal.sched.Proc;
import dev.preempt.internal.sched.SchedulerCore;

/** The periodic events' hooks, run by JFR's periodic task thread while the events are enabled. */
final class Samplers {

    private Samplers() {}

    /** One SchedulerSample per carrier of every live scheduler. */
    static void sampleSchedulers() {
        JfrLayer.reapply(); // also notices a setting changed on a running recording
        for (SchedulerCore s : JfrLayer.schedulers()) {
            int global = s.globalQueueLength();
            int live = s.liveProcesses().size();
            int timers = s.pendingTimers();
            for (Carrier c : s.carriers()) {
                SchedulerSampleEvent e = new SchedulerSampleEvent();
                e.scheduler = s.name();
                e.carrier = c.index();
                e.runQueueLength = c.queueLength();
                Proc running = c.running();
                e.running = running == null ? null : running.pid().toString();
                e.slices = c.slices();
                e.steals = c.steals();
                e.parks = c.parks();
                e.globalQueueLength = global;
                e.liveProcesses = live;
                e.pendingTimers = timers;
                e.commit();
            }
        }
    }

    /**
     * One MailboxBacklog per live process whose mailbox is longer than the threshold. It visits every
     * live process (and counts each inbox), so its cost grows with the process count; it runs once a
     * period, and only while the event is enabled.
     */
    static void sampleMailboxes() {
        int threshold = JfrLayer.MAILBOX_THRESHOLD;
        for (SchedulerCore s : JfrLayer.schedulers()) {
            for (Proc p : s.liveProcesses()) {
                int n = p.mailboxLength();
                if (n <= threshold) continue;
                MailboxBacklogEvent e = new MailboxBacklogEvent();
                e.pid = p.pid().toString();
                e.mailboxLength = n;
                e.threshold = threshold;
                e.registeredName = p.registeredName();
                e.state = p.stateName();
                e.scheduler = s.name();
                e.commit();
            }
        }
    }
}
