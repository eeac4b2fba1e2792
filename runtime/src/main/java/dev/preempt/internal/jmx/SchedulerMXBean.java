package dev.preempt.internal.jmx;

/**
 * A scheduler as JMX tools show it (JConsole, JMC, VisualVM: MBean {@code dev.preempt:type=Scheduler,name=...}),
 * in the spirit of Erlang's {@code observer} and {@code i()}: counts, the carriers' queues, the processes
 * that spend the most or have the longest mailboxes, and the supervision tree. Every value is a racy
 * snapshot of a moving system.
 */
public interface SchedulerMXBean {

    /** {@return the scheduler's name (its carriers' names start with it)} */
    String getName();

    /** {@return the number of carriers of its own (spares come and go on top)} */
    int getCarriers();

    /** {@return the reductions a slice starts with} */
    int getBudget();

    /** {@return the number of processes alive now} */
    int getLiveProcesses();

    /** {@return the number of processes spawned so far} */
    long getSpawned();

    /** {@return the number of processes that have ended so far} */
    long getExited();

    /** {@return the number of processes waiting in the shared queues (preempted, and woken from outside)} */
    int getSharedQueueLength();

    /** {@return the number of processes queued on each of its carriers (local queue and runnext)} */
    int[] getCarrierQueueLengths();

    /** {@return the number of carriers held now: in a blocking call, or handed off by the watchdog} */
    int getHeldCarriers();

    /** {@return the number of spare carriers running in held carriers' places now} */
    int getActiveSpares();

    /**
     * {@return the number of times its carriers ran one of the JDK's socket sub-pollers so far: 0 while
     * the JDK's own pool runs them ({@code -Dpreempt.pollers=jdk}, sockets first used outside processes,
     * or another scheduler hosts them)}
     */
    long getPollerTasks();

    /** {@return the number of errors inside Preempt's own code so far (0 in a healthy system)} */
    long getInternalErrors();

    /** {@return one line per live process, {@code pid state reductions=… mailbox=… name=… entry=…}, by pid} */
    String[] getProcesses();

    /**
     * The {@code n} live processes that spent the most reductions, most first.
     *
     * @param n how many to list at most
     * @return one line per process, as in {@link #getProcesses()}
     */
    String[] topByReductions(int n);

    /**
     * The {@code n} live processes with the longest mailboxes, longest first.
     *
     * @param n how many to list at most
     * @return one line per process, as in {@link #getProcesses()}
     */
    String[] topByMailbox(int n);

    /** {@return every live supervisor and its children, indented as a tree} */
    String getSupervisionTree();
}
