package dev.preempt.internal.jmx;

import dev.preempt.Pid;
import dev.preempt.Priority;
import dev.preempt.Supervisor;
import dev.preempt.internal.sched.Carrier;
import dev.preempt.internal.sched.Proc;
import dev.preempt.internal.sched.SchedulerCore;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.ObjectName;

/**
 * The {@link SchedulerMXBean} of one scheduler. Registered on the platform MBean server by a daemon
 * thread of its own, off the path that starts the program (loading JMX costs tens of milliseconds), and
 * unregistered when the scheduler shuts down. {@code -Dpreempt.jmx=false} leaves it out.
 */
public final class SchedulerBean implements SchedulerMXBean {

    private static final Logger LOG = Logger.getLogger("dev.preempt");
    private final SchedulerCore sched;

    private SchedulerBean(SchedulerCore sched) {
        this.sched = sched;
    }

    /**
     * Registers a bean for {@code sched} soon, in the background.
     *
     * @param sched the new scheduler
     */
    public static void registerLater(SchedulerCore sched) {
        if (!Boolean.parseBoolean(System.getProperty("preempt.jmx", "true"))) return;
        Thread t = new Thread(() -> register(sched), sched.name() + "-jmx");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /**
     * The bean's name for the scheduler called {@code name}.
     *
     * @param name the scheduler's name
     * @return {@code dev.preempt:type=Scheduler,name="..."}, the name quoted
     * @throws javax.management.MalformedObjectNameException never in practice: the name is quoted
     */
    public static ObjectName objectName(String name) throws javax.management.MalformedObjectNameException {
        return new ObjectName("dev.preempt:type=Scheduler,name=" + ObjectName.quote(name));
    }

    private static void register(SchedulerCore sched) {
        try {
            var server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = objectName(sched.name());
            if (sched.isShutdown() || server.isRegistered(name)) return;
            server.registerMBean(new SchedulerBean(sched), name);
            sched.onShutdown(() -> {
                try {
                    server.unregisterMBean(name);
                } catch (Exception ignored) {
                    // gone already
                }
            });
        } catch (Throwable t) { // no java.management module, a security manager, a name clash
            LOG.log(Level.FINE, "Preempt: no JMX view of " + sched.name(), t);
        }
    }

    @Override
    public String getName() {
        return sched.name();
    }

    @Override
    public int getCarriers() {
        return sched.carrierCount();
    }

    @Override
    public int getBudget() {
        return sched.budget();
    }

    @Override
    public int getLiveProcesses() {
        return sched.liveProcesses().size();
    }

    @Override
    public long getSpawned() {
        return sched.spawnedCount();
    }

    @Override
    public long getExited() {
        return sched.exitedCount();
    }

    @Override
    public int getSharedQueueLength() {
        return sched.globalQueueLength();
    }

    @Override
    public int[] getCarrierQueueLengths() {
        Carrier[] cs = sched.carriers();
        int[] out = new int[cs.length];
        for (int i = 0; i < cs.length; i++) out[i] = cs[i].queueLength();
        return out;
    }

    @Override
    public int getHeldCarriers() {
        return sched.heldCarriers();
    }

    @Override
    public int getActiveSpares() {
        return sched.activeSpares();
    }

    @Override
    public long getPollerTasks() {
        return sched.pollerTasks();
    }

    @Override
    public long getInternalErrors() {
        return sched.internalErrorCount();
    }

    @Override
    public String[] getProcesses() {
        return lines(Comparator.comparing(Proc::pid), Integer.MAX_VALUE);
    }

    @Override
    public String[] topByReductions(int n) {
        return lines(descending(Proc::reductions), n);
    }

    @Override
    public String[] topByMailbox(int n) {
        return lines(descending(Proc::mailboxLength), n);
    }

    private static Comparator<Proc> descending(ToLongFunction<Proc> key) {
        return Comparator.comparingLong(key).reversed();
    }

    private String[] lines(Comparator<Proc> order, int n) {
        return new ArrayList<>(sched.liveProcesses()).stream().sorted(order).limit(Math.max(0, n))
                .map(SchedulerBean::line).toArray(String[]::new);
    }

    /** "<0.42.0> waiting reductions=1234 mailbox=0 name=counter priority=high entry=server com.acme.Counter" (priority unless normal). */
    static String line(Proc p) {
        String name = p.registeredName();
        Priority priority = p.priority();
        return p.pid() + " " + p.stateName() + " reductions=" + p.reductions() + " mailbox=" + p.mailboxLength()
                + (name != null ? " name=" + name : "")
                + (priority != Priority.NORMAL ? " priority=" + priority.name().toLowerCase(Locale.ROOT) : "")
                + " entry=" + p.entryName();
    }

    @Override
    public String getSupervisionTree() {
        List<Pid> sups = sched.liveSupervisors();
        Set<Pid> supSet = Set.copyOf(sups);
        Set<Pid> children = new HashSet<>();
        StringBuilder tree = new StringBuilder();
        List<String[]> kids = new ArrayList<>();
        Map<Pid, List<Supervisor.Child>> byParent = new HashMap<>();
        for (Pid s : sups) {
            try {
                List<Supervisor.Child> cs = sched.supervisorChildren(s);
                byParent.put(s, cs);
                cs.forEach(c -> c.pid().ifPresent(children::add));
            } catch (RuntimeException gone) {
                // ended meanwhile
            }
        }
        for (Pid s : sups) {
            if (!children.contains(s)) print(tree, s, null, byParent, supSet, 0);
        }
        return tree.toString();
    }

    private void print(StringBuilder out, Pid pid, String id, Map<Pid, List<Supervisor.Child>> byParent,
            Set<Pid> sups, int depth) {
        out.append("  ".repeat(depth)).append(id == null ? "" : id + " ").append(pid);
        Proc p = sched.lookup(pid);
        if (p != null) out.append(' ').append(p.entryName());
        out.append('\n');
        for (Supervisor.Child c : byParent.getOrDefault(pid, List.of())) {
            if (c.pid().isPresent() && sups.contains(c.pid().get())) {
                print(out, c.pid().get(), c.id(), byParent, sups, depth + 1);
            } else {
                out.append("  ".repeat(depth + 1)).append(c.id()).append(' ')
                        .append(c.pid().map(Pid::toString).orElse("(not running)")).append('\n');
            }
        }
    }
}
