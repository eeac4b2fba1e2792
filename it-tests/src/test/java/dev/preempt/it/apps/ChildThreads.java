package dev.preempt.it.apps;

import static dev.preempt.Preempt.*;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.ProcessInfo;
import dev.preempt.Process;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Virtual threads started inside a process are ordinary virtual threads: {@code ChildThreads threads
 * messages} starts that many from a process, each sending {@code messages} to a counting process; prints
 * how many arrived, and how much the parent's reductions grew while it waited and its children spun.
 */
public final class ChildThreads {
    private ChildThreads() {}

    static volatile long sink;

    @Process
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int messages = Integer.parseInt(args[1]);
        Pid me = self();
        Pid counter = spawn(() -> {
            long n = 0;
            long expected = (long) threads * messages;
            while (n < expected) {
                Optional<Object> m = receive(Duration.ofSeconds(20));
                if (m.isEmpty()) break;
                n++;
            }
            send(me, "received " + n);
        });
        CountDownLatch done = new CountDownLatch(threads);
        AtomicBoolean spin = new AtomicBoolean(true);
        for (int i = 0; i < threads; i++) {
            Thread.ofVirtual().start(() -> {
                for (int k = 0; k < messages; k++) {
                    send(counter, k);
                    if ((k & 15) == 0) { try { Thread.sleep(1); } catch (InterruptedException e) { return; } }
                }
                done.countDown();
            });
        }
        String received = receive(String.class);
        done.await();
        // children that spin in instrumented code while the parent waits must not be charged to it
        Thread spinner = Thread.ofVirtual().start(() -> {
            long x = 0;
            while (spin.get()) x = work(x);
            sink = x;
        });
        long before = Preempt.processInfo(me).map(ProcessInfo::reductions).orElse(-1L);
        Optional<Object> none = receive(Duration.ofMillis(500));
        long after = Preempt.processInfo(me).map(ProcessInfo::reductions).orElse(-1L);
        spin.set(false);
        spinner.join();
        System.out.println("childthreads " + received.replace(' ', '=') + " expected=" + ((long) threads * messages)
                + " parentGrowth=" + (after - before) + " timedOut=" + none.isEmpty());
    }

    static long work(long x) {
        return x * 31 + 7;
    }
}
