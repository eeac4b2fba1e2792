package dev.preempt.internal.engine;

import java.util.concurrent.Executor;

/**
 * How a process's thread of control is made: something that can be suspended at a yield and resumed
 * later, possibly on another carrier. The scheduler sees only this interface, so that a portable
 * bytecode engine can sit beside the {@code vm} one.
 */
public interface Engine {

    /**
     * The name users select it by ({@code engine=vm}).
     *
     * @return the name
     */
    String name();

    /**
     * A new, unstarted thread named {@code name} that runs {@code body}. Each time it becomes runnable (started, yielded,
     * unparked) the engine hands its continuation to {@code scheduler.execute}; running that task runs
     * the body until it next yields, parks or ends.
     *
     * @param scheduler gets the thread's continuation each time it becomes runnable
     * @param name the thread's name
     * @param body what the thread runs
     * @return the thread, not started
     */
    Thread newThread(Executor scheduler, String name, Runnable body);
}
