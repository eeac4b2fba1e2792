package dev.preempt.internal.sched;

/**
 * A process body with the name of what the user started it as, for reports and tools (the JFR
 * {@code ProcessStart.entry}, crash reports, the process listing): a {@code Server} class, a supervisor
 * child's id, an {@code @Process} method. A body without one is named by {@link #describe}.
 *
 * @param name what the process was started as ({@code server com.acme.Counter})
 * @param body what it runs
 */
public record Entry(String name, Runnable body) implements Runnable {

    @Override
    public void run() {
        body.run();
    }

    /**
     * What {@code task} was started as: its {@link Entry} name, or its class, a lambda or method reference
     * named after the class that wrote it ({@code com.acme.Main (lambda)}), not the hidden class the JDK
     * made for it ({@code com.acme.Main$$Lambda/0x...}).
     *
     * @param task a process body
     * @return its description
     */
    public static String describe(Runnable task) {
        return task instanceof Entry e ? e.name : describe(task.getClass());
    }

    /**
     * A class's name, a lambda's as {@code com.acme.Main (lambda)}.
     *
     * @param c the class
     * @return its description
     */
    public static String describe(Class<?> c) {
        String n = c.getName();
        int lambda = n.indexOf("$$Lambda");
        return lambda > 0 ? n.substring(0, lambda) + " (lambda)" : n;
    }
}
