package dev.preempt.it.apps;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code WakeUps threads rounds}: each of {@code threads} plain threads wakes its own process
 * {@code rounds} times, one at a time (send, then wait for the process to answer through a semaphore),
 * so that between wake-ups every carrier goes idle and parks, and each wake-up has to get a parked
 * carrier going: the producer/idle-carrier pairing. Run with a park backstop of an hour, a lost wake-up
 * is a wait that never ends; each wait gives up after 10 s and is counted. Prints
 * {@code wakeups done=N lost=L}.
 */
public final class WakeUps {
    private WakeUps() {}

    record Ping(Semaphore answer) {}

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        AtomicLong done = new AtomicLong(), lost = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Pid p = Preempt.spawn(() -> {
                while (true) {
                    Object m = Preempt.receive();
                    if (m instanceof Ping ping) ping.answer().release();
                    else return;
                }
            });
            ts.add(Thread.ofPlatform().start(() -> {
                Semaphore answer = new Semaphore(0);
                for (int i = 0; i < rounds; i++) {
                    Preempt.send(p, new Ping(answer)); // run with send=trust: the semaphore is shared on purpose
                    try {
                        if (answer.tryAcquire(10, TimeUnit.SECONDS)) done.incrementAndGet();
                        else lost.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                Preempt.send(p, "stop");
            }));
        }
        for (Thread t : ts) t.join();
        System.out.println("wakeups done=" + done.get() + " lost=" + lost.get());
    }
}
