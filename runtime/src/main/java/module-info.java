/**
 * Preempt's runtime: Erlang's process model (processes, mailboxes, links, monitors, supervisors) on JDK
 * virtual threads with a scheduler of its own.
 *
 * <h2>What is exported</h2>
 * <ul>
 *   <li>{@code dev.preempt}: the API, to everyone.</li>
 *   <li>{@code dev.preempt.internal.hooks}: what code rewritten by the agent calls ({@code Reductions}, the
 *       tick hooks; {@code ProcessEntry}, {@code @Process} methods). Exported to everyone because the
 *       rewritten code is the application's own, in whatever module it lives. Not an API to call by
 *       hand.</li>
 *   <li>{@code dev.preempt.internal.jmx}: to everyone, for the scheduler's MXBean: the platform MBean server
 *       calls its getters from a class of an unnamed module, and JMX clients build proxies of
 *       {@code SchedulerMXBean}. The rest of that package is of no use without a {@code SchedulerCore}.</li>
 *   <li>{@code dev.preempt.internal}, {@code .sched} and {@code .policy}: to {@code dev.preempt.dist} only
 *       (the Erlang distribution, which installs {@code RemoteRouting}, makes remote pids through
 *       {@code ApiAccess} and applies the send policy). That name is the distribution jar's
 *       {@code Automatic-Module-Name}.</li>
 *   <li>Nothing else: the scheduler, the processes' state ({@code Proc}: its budget, its mailbox), signals,
 *       the send policy and the JFR layer are closed to the application. {@code dev.preempt.internal.jfr}
 *       is opened to {@code jdk.jfr} alone.</li>
 * </ul>
 *
 * <h2>With the agent</h2>
 * The agent is not a module: its jar is on the class path with a copy of the runtime inside, which a
 * runtime on the module path replaces (the JVM loads the packages of a named module from that module).
 * At premain the agent opens {@code java.lang} and {@code jdk.internal.vm} to this module and exports
 * {@code jdk.internal.misc} to it, exports {@code dev.preempt.internal} to itself (to mark itself
 * installed), and makes each named module it rewrites a class of read this one (rewritten code calls
 * {@code dev.preempt.internal.hooks}; an application module need not {@code requires dev.preempt}).
 *
 * <h2>Without the agent</h2>
 * On the module path the JVM needs {@code --add-opens java.base/java.lang=dev.preempt} (processes are
 * virtual threads with a scheduler of their own, a private constructor); optionally
 * {@code --add-opens java.base/jdk.internal.vm=dev.preempt} (the stack bound) and
 * {@code --add-exports java.base/jdk.internal.misc=dev.preempt} (carriers told of blocking calls).
 *
 * <h2>What the module path asks of the application</h2>
 * The default send policy inspects a message's fields reflectively: a message type with a field that is not
 * a leaf (a record inside a record) must be in a package its module opens to {@code dev.preempt}, or the
 * send is refused with the JDK's reason. JFR events need {@code jdk.jfr} resolved ({@code --add-modules
 * jdk.jfr} when nothing else requires it): the runtime runs without it.
 *
 * <p>On the class path this descriptor is ignored: every public class is reachable there, internals
 * included. Only the module path seals them.
 */
@SuppressWarnings("module") // dev.preempt.dist is not built before this module; the export names it anyway
module dev.preempt {
    exports dev.preempt;
    exports dev.preempt.internal.hooks;

    exports dev.preempt.internal to dev.preempt.dist;
    exports dev.preempt.internal.sched to dev.preempt.dist;
    exports dev.preempt.internal.policy to dev.preempt.dist;

    requires java.logging;
    // the MXBean (internal.jmx); registered at start, so always there
    requires java.management;
    // the JFR events and the recording layer: loaded only when jdk.jfr is in the boot layer (JfrSupport
    // checks), so a runtime image without it still runs
    requires static jdk.jfr;

    // jdk.jfr reads the events' fields and creates their SettingControl (SliceTimeThreshold) reflectively
    opens dev.preempt.internal.jfr to jdk.jfr;
    // the MXBean: the platform MBean server invokes it through sun.reflect.misc.Trampoline, a class of an
    // unnamed module, so a qualified export to java.management is not enough (measured: IllegalAccessException)
    exports dev.preempt.internal.jmx;
}
