/**
 * Plain code in a named module that does not require the runtime, for {@code ModulePathIT}: under the agent
 * its loops are rewritten to call the runtime's hooks, which a named module can do only once it reads the
 * runtime's module (the agent adds that edge).
 */
module lib {
    exports dev.preempt.modlib;
}
