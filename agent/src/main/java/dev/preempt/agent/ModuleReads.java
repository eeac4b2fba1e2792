package dev.preempt.agent;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * Lets a rewritten class of a named module reach the runtime. Rewritten code calls
 * {@code dev.preempt.internal.hooks} (exported by the runtime to everyone), but a named module reads
 * only the modules it requires: an application module that does not {@code requires dev.preempt} (plain
 * code the agent makes preemptible), or any named module when the runtime is the agent jar's copy on the
 * class path (a named module never reads the unnamed one), would get an {@code IllegalAccessError} at its
 * first tick. So, for each named module a class is rewritten in, the agent adds the read edge once
 * through {@link Instrumentation#redefineModule}. Class-path classes (the unnamed module reads every
 * module) need nothing.
 */
final class ModuleReads {

    private final Instrumentation inst;
    private final Module runtime;

    ModuleReads(Instrumentation inst, Module runtime) {
        this.inst = inst;
        this.runtime = runtime;
    }

    /** Before a class rewritten in {@code module} is defined: makes that module read the runtime's. */
    void rewrittenIn(Module module) {
        if (module == null || !module.isNamed() || module.canRead(runtime)) return;
        inst.redefineModule(module, Set.of(runtime), Map.of(), Map.of(), Set.of(), Map.of());
    }
}
