package dev.preempt;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.send;
import static dev.preempt.Preempt.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a process inherits from the thread that spawns it, and what the threads a process starts are:
 * ordinary virtual threads, not the process.
 */
class ThreadContextTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static final InheritableThreadLocal<String> MDC = new InheritableThreadLocal<>();

    @Test
    void aProcessSeesItsSpawnersContextClassLoaderAndInheritableThreadLocals() throws Exception {
        ClassLoader custom = new URLClassLoader("framework", new URL[0], getClass().getClassLoader());
        AtomicReference<ClassLoader> seen = new AtomicReference<>();
        AtomicReference<String> mdc = new AtomicReference<>();
        AtomicReference<ClassLoader> grandchild = new AtomicReference<>();
        Thread spawner = new Thread(() -> {
            MDC.set("request-42");
            ExitReason r = s.run(() -> {
                seen.set(Thread.currentThread().getContextClassLoader());
                mdc.set(MDC.get());
                CompletableFuture<ClassLoader> child = new CompletableFuture<>();
                spawn(() -> child.complete(Thread.currentThread().getContextClassLoader()));
                grandchild.set(child.join());
            });
            assertThat(r).isEqualTo(ExitReason.NORMAL);
        });
        spawner.setContextClassLoader(custom);
        spawner.start();
        spawner.join();
        assertThat(seen.get()).isSameAs(custom);
        assertThat(mdc.get()).isEqualTo("request-42");
        assertThat(grandchild.get()).as("a process spawned by that process").isSameAs(custom);
    }

    @Test
    void aVirtualThreadStartedByAProcessIsNotThatProcess() {
        AtomicReference<Boolean> childInProcess = new AtomicReference<>();
        AtomicReference<Boolean> parentInProcess = new AtomicReference<>();
        Procs.run(s, () -> {
            Thread child = Thread.ofVirtual().start(() -> childInProcess.set(Preempt.inProcess()));
            try {
                child.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            parentInProcess.set(Preempt.inProcess());
        });
        assertThat(parentInProcess.get()).isTrue();
        assertThat(childInProcess.get()).as("Preempt.inProcess() in a thread the process started").isFalse();
    }

    record Hello(int thread, int n) {}

    @Test
    void virtualThreadsStartedByProcessesWakeWaitingProcessesAndNothingIsLost() {
        int threads = 64, each = 500;
        AtomicReference<Long> got = new AtomicReference<>();
        Procs.run(s, () -> {
            Pid me = Preempt.self();
            Pid counter = spawn(() -> {
                long n = 0;
                while (n < (long) threads * each) {
                    Optional<Object> m = receive(Duration.ofSeconds(10));
                    if (m.isEmpty()) break;
                    n++;
                }
                send(me, n);
            });
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                started.add(Thread.ofVirtual().start(() -> {
                    for (int k = 0; k < each; k++) {
                        send(counter, new Hello(id, k));
                        if ((k & 15) == 0) Thread.yield(); // the counter drains and parks again
                    }
                }));
            }
            got.set(receive(Long.class));
        });
        assertThat(got.get()).isEqualTo((long) threads * each);
        assertThat(s.core.internalErrorCount()).isZero();
    }
}
