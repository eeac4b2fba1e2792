/**
 * A tiny application as a named module, for {@code ModulePathIT}: it requires the runtime by its module
 * name, {@code lib}, which does not know of Preempt, and {@code java.management}.
 */
module app {
    requires dev.preempt;
    requires lib;
    requires java.management; // reads the scheduler's MXBean
}
