package dev.preempt.modapp;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.modlib.Spin;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * {@code ModulePathIT}'s application, run as the module {@code app} with the runtime as the module
 * {@code dev.preempt}. {@code run}: a process runs and answers; {@code internals}: what the application can
 * reach of the runtime's internals by reflection; {@code hog}: a CPU hog of the module {@code lib} on one
 * carrier is preempted (under the agent); {@code jmx}: the scheduler's MXBean answers.
 */
public final class Main {
    private Main() {}

    private static volatile boolean stop;

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "run" -> run();
            case "internals" -> internals();
            case "hog" -> hog();
            case "jmx" -> jmx();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static void run() {
        ExitReason r = Preempt.run(() -> {
            Pid echo = Preempt.spawn(() -> {
                Pid from = Preempt.receive(Pid.class);
                Preempt.send(from, "pong");
            });
            Preempt.send(echo, Preempt.self());
            System.out.println("reply " + Preempt.receive(String.class));
        });
        System.out.println("run reason=" + r + " runtime=" + Preempt.class.getModule().getName());
    }

    static void internals() throws Exception {
        Module me = Main.class.getModule();
        Class<?> proc = Class.forName("dev.preempt.internal.sched.Proc"); // loadable, like any class: not usable
        System.out.println("sched exported=" + proc.getModule().isExported(proc.getPackageName(), me)
                + " hooks exported=" + proc.getModule().isExported("dev.preempt.internal.hooks", me));
        try {
            proc.getMethod("current").invoke(null);
            System.out.println("current() called");
        } catch (IllegalAccessException e) {
            System.out.println("current() refused: " + e.getClass().getSimpleName());
        }
        Field budget = proc.getField("budget");
        try {
            // any receiver: the access check comes before the receiver's type check
            budget.setInt(new Object(), Integer.MAX_VALUE);
            System.out.println("budget written");
        } catch (IllegalAccessException | IllegalArgumentException e) {
            System.out.println("budget refused: " + e.getClass().getSimpleName());
        }
        try {
            budget.setAccessible(true);
            System.out.println("budget opened");
        } catch (InaccessibleObjectException e) {
            System.out.println("setAccessible refused: " + e.getClass().getSimpleName());
        }
    }

    static void jmx() {
        Preempt.run(() -> {
            try {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                ObjectName pattern = new ObjectName("dev.preempt:type=Scheduler,*");
                for (int i = 0; i < 100 && server.queryNames(pattern, null).isEmpty(); i++) Preempt.sleep(50); // registered by a thread
                for (ObjectName n : server.queryNames(pattern, null)) {
                    System.out.println("bean carriers=" + server.getAttribute(n, "Carriers") + " live=" + server.getAttribute(n, "LiveProcesses"));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static void hog() {
        Preempt.run(() -> {
            var hog = Preempt.spawnMonitor(() -> System.out.println("hog turns>0=" + (Spin.until(() -> stop) > 0)));
            Preempt.sleep(100); // with one carrier and no spares, this process wakes only if the hog is preempted
            stop = true;
            Preempt.receive(m -> m instanceof Down d && d.ref().equals(hog.ref()), Duration.ofSeconds(30))
                    .ifPresentOrElse(d -> System.out.println("hog reason=" + ((Down) d).reason()),
                            () -> System.out.println("hog did not end"));
        });
        System.out.println("lib reads runtime=" + Spin.class.getModule().canRead(Preempt.class.getModule()));
    }
}
