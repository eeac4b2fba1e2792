package dev.preempt;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code void} method whose calls start processes. Under the agent
 * ({@code -javaagent:preempt-agent.jar}):
 * <ul>
 *   <li>on {@code public static void main(String[])}: the scheduler boots and {@code main}'s body runs
 *       as the root process. The program ends when the root process ends, like Go's {@code main}: a
 *       normal end returns from {@code main} (other processes are abandoned; the JVM exits unless you
 *       started non-daemon threads of your own), an exception is printed and the JVM exits with
 *       status 1;</li>
 *   <li>on any other {@code void} method, static or not: a call starts the body as a new process with
 *       those arguments and returns at once; {@link Preempt#lastSpawned()} gives its pid.</li>
 * </ul>
 * Without the agent the methods run as plain calls, and the runtime warns once that preemption is off.
 *
 * <pre>{@code
 * public class Main {
 *     @Process
 *     public static void main(String[] args) {
 *         worker(3);                         // returns at once
 *         Pid w = Preempt.lastSpawned().orElseThrow();
 *         Preempt.send(w, "go");
 *     }
 *
 *     @Process
 *     static void worker(int n) {
 *         Object go = Preempt.receive();
 *         while (true) { }                   // preempted: other processes still run
 *     }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Process {}
