/** An application that reaches for the runtime's internals: {@code ModulePathIT} expects javac to refuse it. */
module sneaky {
    requires dev.preempt;
}
