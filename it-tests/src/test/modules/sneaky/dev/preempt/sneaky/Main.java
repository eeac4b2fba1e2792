package dev.preempt.sneaky;

/** Never compiles on the module path: the runtime's scheduler package is not exported to it. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        dev.preempt.internal.sched.Proc.current().budget = Integer.MAX_VALUE; // never preempted
    }
}
