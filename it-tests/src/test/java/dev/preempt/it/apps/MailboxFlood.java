package dev.preempt.it.apps;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.send;
import static dev.preempt.Preempt.spawn;

import dev.preempt.Pid;
import dev.preempt.Process;

/**
 * A mailbox flood: senders push messages to a process that never reads them, until the heap is gone.
 * Run with a small heap. The JVM must end, with a message and a non-zero status, not hang (it used to:
 * a carrier died of an OutOfMemoryError thrown by its uncaught-exception handler, and SIGTERM was lost).
 */
public final class MailboxFlood {
    private MailboxFlood() {}

    record Junk(long n, String ballast) {}

    @Process
    public static void main(String[] args) {
        Pid sink = spawn(() -> receive(m -> false)); // never matches: every message stays queued
        for (int i = 0; i < 4; i++) {
            spawn(() -> {
                long n = 0;
                while (true) send(sink, new Junk(n, Long.toString(n++)));
            });
        }
        receive(m -> false);
    }
}
