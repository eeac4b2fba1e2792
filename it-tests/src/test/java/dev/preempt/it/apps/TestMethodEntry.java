package dev.preempt.it.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.preempt.MessageNotSharableException;
import dev.preempt.Preempt;
import dev.preempt.Process;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What a test framework sees of {@code @Process} test methods, and the send policy on a {@code @Process}
 * method's arguments. {@code main} plays the framework: it calls the methods and reports what they threw.
 */
public final class TestMethodEntry {

    static final AtomicBoolean BODY_RAN_IN_PROCESS = new AtomicBoolean();

    @Test
    @Process
    void failsInsideItsProcess() {
        assertEquals(1, 2, "inside the process");
    }

    @Test
    @Process
    void passesInsideItsProcess() {
        Preempt.sleep(20); // a process: it can wait without a carrier
        BODY_RAN_IN_PROCESS.set(Preempt.inProcess());
    }

    /** Not a test: a call starts the body as a process and returns at once. */
    @Process
    static void worker(List<String> items) {
        items.add("mutated by another process");
    }

    public static void main(String[] args) {
        TestMethodEntry t = new TestMethodEntry();
        String failed;
        try {
            t.failsInsideItsProcess();
            failed = "nothing";
        } catch (AssertionError e) {
            failed = e.getClass().getSimpleName();
        }
        t.passesInsideItsProcess();
        String policy;
        try {
            worker(new ArrayList<>());
            policy = "accepted";
        } catch (MessageNotSharableException e) {
            policy = "refused";
        }
        System.out.println("testmethods failing=" + failed + " passingBodyRanInProcess=" + BODY_RAN_IN_PROCESS.get()
                + " mutableArgument=" + policy);
    }
}
