package dev.preempt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preempt.internal.jmx.SchedulerBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The JMX view of a scheduler: what JConsole or JMC shows of it, read through the platform MBean server. */
class ManagementTest {

    @Test
    void aSchedulerShowsItsProcessesTheirMailboxesAndItsSupervisionTree() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = SchedulerBean.objectName("jmx-test");
        try (Scheduler s = Scheduler.builder().name("jmx-test").carriers(2).build()) {
            Procs.await(Duration.ofSeconds(10), () -> server.isRegistered(name), "the MBean");
            Pid[] busy = new Pid[1];
            Pid[] sup = new Pid[1];
            Pid[] urgent = new Pid[1];
            Procs.run(s, () -> {
                urgent[0] = Preempt.spawn(() -> {
                    Preempt.setPriority(Priority.HIGH);
                    Preempt.receive(m -> false);
                });
                busy[0] = Preempt.spawn(() -> Preempt.receive(m -> false));
                Preempt.register("backlogged", busy[0]);
                for (int i = 0; i < 50; i++) Preempt.send(busy[0], i);
                sup[0] = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(
                        Supervisor.ChildSpec.worker("cache", () -> Preempt.receive(m -> false)),
                        Supervisor.ChildSpec.supervisor("inner", Supervisor.Flags.oneForAll(),
                                List.of(Supervisor.ChildSpec.worker("leaf", () -> Preempt.receive(m -> false))))));
            });
            assertThat((Integer) server.getAttribute(name, "Carriers")).isEqualTo(2);
            assertThat((Integer) server.getAttribute(name, "LiveProcesses")).isGreaterThanOrEqualTo(5);
            assertThat((int[]) server.getAttribute(name, "CarrierQueueLengths")).hasSize(2);
            String[] processes = (String[]) server.getAttribute(name, "Processes");
            assertThat(processes).anySatisfy(l -> assertThat(l).startsWith(busy[0] + " ").contains("name=backlogged")
                    .doesNotContain("priority="));
            Procs.await(Duration.ofSeconds(5), () -> java.util.Arrays.stream(processes(server, name)).anyMatch(
                    l -> l.startsWith(urgent[0] + " ") && l.contains(" priority=high ")), "the high-priority process's line");
            String[] top = (String[]) server.invoke(name, "topByMailbox", new Object[] {1}, new String[] {"int"});
            assertThat(top).hasSize(1);
            assertThat(top[0]).startsWith(busy[0].toString()).contains("mailbox=50");
            String tree = (String) server.getAttribute(name, "SupervisionTree");
            assertThat(tree).startsWith(sup[0] + " supervisor (one_for_one, 2 children)")
                    .contains("\n  cache <0.").contains("\n  inner <0.").contains("\n    leaf <0.");
            Supervisor.stop(sup[0]);
        }
        assertThat(server.isRegistered(name)).as("unregistered at shutdown").isFalse();
    }

    private static String[] processes(MBeanServer server, ObjectName name) {
        try {
            return (String[]) server.getAttribute(name, "Processes");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
