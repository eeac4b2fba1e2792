package dev.preempt.internal.jmx;

/**
 * A scheduler as JMX tools show it (JConsole, JMC, VisualVM: MBean {@code dev.preempt:type=Scheduler,name=...}),
 * in the spirit of Erlang's {@code observer} and {@code i()}: counts, the carriers' queues, the processes
 * that spend the most or have the longest mailboxes, and the supervision tree. Every value is a racy
 * snapshot of a moving system.
 */
public interface SchedulerMXBean {

    /** The scheduler's name (its carriers' names start with it). */
    String getName();

    /** Carriers of its own (spares come and go on top). */
    int getCarriers();

    /** Reductions a slice starts with. */
    int getBudget();

    /** Processes alive now. */
    int getLiveProcesses();

    /** Processes spawned so far. */
    long getSpawned();

    /** Processes that have ended so far. */
    long getExited();

    /** Processes waiting in the shared queues (preempted, and woken from outside). */
    int getSharedQueueLength();

    /** Processes queued on each of its carriers (local queue and runnext). */
    int[] getCarrierQueueLengths();

    /** Carriers held now: in a blocking call, or handed off by the watchdog. */
    int getHeldCarriers();

    /** Spare carriers running in held carriers' places now. */
    int getActiveSpares();

    /** Errors inside Preempt's own code so far (0 in a healthy system). */
    long getInternalErrors();

    /** One line per live process, {@code pid state reductions=… mailbox=… name=… entry=…}, by pid. */
    String[] getProcesses();

    /** The {@code n} live processes that spent the most reductions, most first. */
    String[] topByReductions(int n);

    /** The {@code n} live processes with the longest mailboxes, longest first. */
    String[] topByMailbox(int n);

    /** Every live supervisor and its children, indented as a tree. */
    String getSupervisionTree();
}
