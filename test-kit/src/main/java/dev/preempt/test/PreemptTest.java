package dev.preempt.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test whose body runs as the root process of a fresh scheduler of its own, closed when the
 * test ends (so a name registered in one test is free in the next). The test fails if the root process
 * ends abnormally (an assertion, an exception, a kill, the crash of a process it is linked to: use
 * {@code Preempt.spawnLink} for processes whose crash must end the test at once), if a process crashed
 * and no link or monitor heard of it ({@link #failOnUnseenCrash()}), and if it has not ended
 * after {@link #timeoutMillis()}, with a dump of every live process (state, mailbox length, entry,
 * stack).
 *
 * <pre>{@code
 * class CounterTest {
 *     @PreemptTest
 *     void countsCasts() {
 *         Pid counter = Server.start("counter", new CounterServer());
 *         Preempt.cast(counter, "inc");
 *         assertEquals(1, Preempt.call(counter, "get"));
 *     }
 * }
 * }</pre>
 *
 * Works with and without {@code -javaagent:preempt-agent.jar}; without it processes yield only in
 * {@code receive}, {@code sleep} and {@code Preempt.yield()}.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(PreemptExtension.class)
public @interface PreemptTest {

    /**
     * Carrier threads of the test's scheduler.
     *
     * @return the number of carriers (default 2)
     */
    int carriers() default 2;

    /**
     * How long the root process may run before the test fails with a dump of the live processes.
     *
     * @return the timeout in milliseconds (default 10 s)
     */
    long timeoutMillis() default 10_000;

    /**
     * Whether the test fails when a process crashed (an exception escaped it) and no link or monitor
     * heard of it, even though the root process ended normally. A crash nobody hears of is a bug in
     * most tests; turn it off for a test that crashes processes on purpose without watching them.
     *
     * @return whether unseen crashes fail the test (default true)
     */
    boolean failOnUnseenCrash() default true;
}
