package dev.preempt;

import dev.preempt.internal.jfr.JfrSupport;

/** Started in a JVM without the jdk.jfr module (or with -Dpreempt.jfr=false): processes still run. */
public final class NoJfrMain {
    private NoJfrMain() {}

    public static void main(String[] args) {
        ExitReason r = Scheduler.defaultScheduler().run(() -> {
            Pid me = Preempt.self();
            Pid echo = Preempt.spawn(() -> {
                Object m = Preempt.receive();
                Preempt.send(me, m);
            });
            Preempt.send(echo, "ping");
            System.out.println("echo: " + Preempt.receive(String.class));
        });
        System.out.println("exit: " + r + ", jfr installed: " + JfrSupport.isInstalled());
    }
}
