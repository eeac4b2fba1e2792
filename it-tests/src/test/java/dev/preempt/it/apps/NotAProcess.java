package dev.preempt.it.apps;

import dev.preempt.Preempt;

/** A {@code main} without {@code @Process} that calls what only a process may: prints the error it gets. */
public final class NotAProcess {

    private NotAProcess() {}

    public static void main(String[] args) {
        try {
            Preempt.receive();
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }
}
