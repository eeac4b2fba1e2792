package dev.preempt.agent;

import dev.preempt.Preempt;
import dev.preempt.internal.AgentStatus;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * {@code -javaagent:preempt-agent.jar[=options]}: opens {@code java.lang} and {@code jdk.internal.vm} to the
 * runtime and exports {@code jdk.internal.misc} to it (processes are virtual threads with their own
 * scheduler; their frozen stacks are measured; carriers are told of blocking calls), passes the options to the runtime as system properties,
 * and installs the transformer that makes application code preemptible. With the runtime on the module
 * path (the named module {@code dev.preempt}), those packages are opened to that module, and each named
 * module a class is rewritten in is made to read it ({@code ModuleReads}). Stateless; everything lives in
 * the objects it creates.
 */
public final class PreemptAgent {

    private PreemptAgent() {}

    /**
     * The agent's entry point, which the JVM calls before {@code main}. Bad options print one line and
     * end the JVM with status 2.
     *
     * @param args the text after {@code =} in {@code -javaagent:preempt-agent.jar=...}, or null
     * @param inst the JVM's instrumentation
     */
    public static void premain(String args, Instrumentation inst) {
        AgentOptions options = parseOrHalt(args, "-javaagent option");
        AgentLog.setLevel(options.log());
        Module agent = PreemptAgent.class.getModule(); // the class path's unnamed module: the agent jar is there
        // The runtime: the agent jar's own copy on the class path (then the same unnamed module), or the named
        // module dev.preempt when the application puts the runtime on the module path (its packages then
        // come from that module, not from the agent jar). A named runtime exports dev.preempt.internal to
        // dev.preempt.dist alone: the agent, a class-path jar, exports it to itself (AgentStatus).
        Module runtime = Preempt.class.getModule();
        if (runtime.isNamed()) {
            // by name: AgentStatus.class would be resolved, and refused, before the export exists
            inst.redefineModule(runtime, Set.of(), Map.of("dev.preempt.internal", Set.of(agent)), Map.of(), Set.of(), Map.of());
        }
        // java.lang: processes are virtual threads with a scheduler of our own (a private constructor);
        // jdk.internal.vm: the size of a process's frozen stack, for its bound (FrozenStack), and a parked
        // process's frames with their classes, to see whether a kill may interrupt its wait (UnmountedStack);
        // jdk.internal.misc (exported): carriers are the JDK's CarrierThread kind, told of blocking calls.
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of("jdk.internal.misc", Set.of(runtime)),
                Map.of("java.lang", Set.of(runtime), "jdk.internal.vm", Set.of(runtime)), Set.of(), Map.of());
        PreemptTransformer transformer = install(options, new ModuleReads(inst, runtime));
        startRecording(options);
        inst.addTransformer(transformer, false);
        AgentLog.info("agent installed: budget=" + options.budget() + ", stripmine=" + options.stripMine()
                + (options.include().isEmpty() ? "" : ", include=" + options.include())
                + (options.exclude().isEmpty() ? "" : ", exclude=" + options.exclude()));
    }

    /** The option {@code jfr=FILE}, if given: the recording starts. */
    static void startRecording(AgentOptions options) {
        if (options.jfr() == null) return;
        try {
            FlightRecording.start(options.jfr());
        } catch (Throwable t) { // no jdk.jfr module, an unwritable path: say so, run on
            System.err.println("[preempt] warning: cannot start the recording jfr=" + options.jfr() + ": " + t);
        }
    }

    /** The options, or (bad ones) one line on stderr and the JVM ends with status 2. */
    static AgentOptions parseOrHalt(String args, String what) {
        try {
            return AgentOptions.parse(args);
        } catch (AgentOptions.Invalid e) {
            System.err.println("[preempt] error: bad " + what + ": " + e.getMessage());
            System.err.flush();
            Runtime.getRuntime().halt(2);
            throw e; // not reached
        }
    }

    /**
     * What the agent and {@link PreemptLoader} share, once the JDK's packages are open to the runtime:
     * the options to the runtime, its agent status, and the transformer that rewrites application
     * classes. The recording ({@link #startRecording}) is the caller's: the loader starts it later.
     */
    static PreemptTransformer install(AgentOptions options, ModuleReads reads) {
        for (Map.Entry<String, String> e : options.runtimeProperties().entrySet()) {
            System.setProperty(e.getKey(), e.getValue());
        }
        String mismatch = RuntimeMatch.mismatch(Preempt.class.getClassLoader());
        if (mismatch != null) {
            System.err.println("[preempt] error: " + mismatch + "; put the preempt-runtime jar of the agent's version"
                    + " on the class path, or none (the agent jar holds its own)");
            System.err.flush();
            Runtime.getRuntime().halt(2);
        }
        AgentStatus.markInstalled();
        ClassFilter filter = new ClassFilter(options.include(), options.exclude());
        for (String c : options.classLikePrefixes()) {
            AgentLog.warnOnce("class " + c, "include=" + c + " looks like a class name; include and exclude take package"
                    + " prefixes (include=" + (c.contains(".") ? c.substring(0, c.lastIndexOf('.')) : c) + ")");
        }
        String filters = (options.include().isEmpty() ? "" : "include=" + String.join(":", options.include().stream()
                .map(AgentOptions::dotted).toList())) + (options.exclude().isEmpty() ? "" : (options.include().isEmpty() ? "" : " and ")
                + "exclude=" + String.join(":", options.exclude().stream().map(AgentOptions::dotted).toList()));
        String cacheDir = System.getProperty("preempt.agentCache");
        RewriteCache cache = cacheDir == null ? null : RewriteCache.open(cacheDir, "stripmine=" + options.stripMine()
                + ",tickBatch=" + Integer.getInteger("preempt.tickBatch", 32));
        PreemptTransformer transformer = new PreemptTransformer(filter, new ClassRewriter(options.stripMine()),
                MainClass.internalName(), filters, cache, reads);
        if (Boolean.getBoolean("preempt.agentStats")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println(transformer.stats()), "preempt-agent-stats"));
        }
        return transformer;
    }
}
