package dev.preempt.it.apps;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.spawnMonitor;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Preempt;
import dev.preempt.Process;
import dev.preempt.Preempt.Spawned;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code exit(pid, KILL)} ends a process in an endless loop with no receive in it: its {@code finally}
 * runs and the lock it held is released. A second victim catches the kill and carries on looping: it is
 * ended at its next tick anyway.
 */
public final class KillLoop {

    static final Object LOCK = new Object();
    static final AtomicBoolean FINALLY_RAN = new AtomicBoolean();
    static volatile long sink;

    private KillLoop() {}

    @Process
    public static void main(String[] args) {
        Spawned looper = spawnMonitor(() -> {
            try {
                synchronized (LOCK) {
                    long n = 0;
                    while (true) sink = ++n;
                }
            } finally {
                FINALLY_RAN.set(true);
            }
        });
        Spawned stubborn = spawnMonitor(() -> {
            while (true) {
                try {
                    long n = 0;
                    while (true) sink = ++n;
                } catch (Throwable swallowed) {
                    // a process that refuses to die
                }
            }
        });
        Preempt.sleep(Duration.ofMillis(200));
        Preempt.exit(looper.pid(), ExitReason.KILL);
        Preempt.exit(stubborn.pid(), ExitReason.KILL);
        Down a = (Down) receive(m -> m instanceof Down d && d.ref().equals(looper.ref()));
        Down b = (Down) receive(m -> m instanceof Down d && d.ref().equals(stubborn.ref()));
        boolean lockFree;
        synchronized (LOCK) {
            lockFree = true;
        }
        System.out.println("kill looper=" + a.reason() + " finally=" + FINALLY_RAN.get() + " lockFree=" + lockFree
                + " stubborn=" + b.reason());
    }
}
