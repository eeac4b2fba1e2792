package dev.preempt.it.apps;

import dev.preempt.Preempt;
import dev.preempt.Process;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code Visible dumpFile}: a process crashes with nobody linked to it (its report must reach stderr),
 * then, with a registered process waiting, the JVM writes a thread dump to {@code dumpFile}, as
 * {@code jcmd <pid> Thread.dump_to_file} does, and one in JSON to {@code dumpFile.json}.
 */
public final class Visible {

    private Visible() {}

    @Process
    public static void main(String[] args) throws Exception {
        Preempt.spawn(Visible::crashes);
        Preempt.sleep(100);
        dev.preempt.Pid waiter = Preempt.spawn(() -> Preempt.receive(m -> false));
        Preempt.register("visible-waiter", waiter);
        Preempt.sleep(50);
        Path dump = Path.of(args[0]);
        Files.deleteIfExists(dump);
        // what jcmd <pid> Thread.dump_to_file -format=text runs
        var bean = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        bean.invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "threadDumpToFile",
                new Object[] {new String[] {dump.toString()}}, new String[] {String[].class.getName()});
        Path json = Path.of(args[0] + ".json"); // and -format=json, which names each thread's container
        Files.deleteIfExists(json);
        bean.invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "threadDumpToFile",
                new Object[] {new String[] {"-format=json", json.toString()}}, new String[] {String[].class.getName()});
        System.out.println("visible waiter=" + waiter + " dumped=" + Files.exists(dump));
        Preempt.exit(waiter, dev.preempt.ExitReason.KILL);
    }

    static void crashes() {
        throw new IllegalStateException("nobody is linked to me");
    }
}
