package dev.preempt.agent;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Type;

/**
 * Whether the runtime the program will call is one this agent's rewriting fits: every hook a rewritten
 * class may call must be there, with its descriptor. The runtime is the first copy of its classes on the
 * class path, which is not the agent jar's own when the program puts a {@code preempt-runtime} jar of
 * another version before it; rewritten code then failed at its first tick with a
 * {@code NoSuchMethodError} (seen with a benchmarks jar built before a hook was added: every process
 * ended at once). Checked once at start-up, before any class is rewritten.
 *
 * <p>The list is made of the names and descriptors {@link TickEmitter} and {@link ProcessEntryRewriter}
 * emit with, and the {@link WaitRewriter}'s hooks.
 */
final class RuntimeMatch {

    /** Owner (internal name), method name, descriptor: every hook the rewriting emits. */
    private static final String[][] FIXED = {
        {TickEmitter.HOOKS, TickEmitter.TICK, TickEmitter.ONE},
        {TickEmitter.HOOKS, TickEmitter.TICK, TickEmitter.WEIGHTED},
        {TickEmitter.HOOKS, TickEmitter.TICK_IN_INITIALIZER, TickEmitter.ONE},
        {TickEmitter.HOOKS, TickEmitter.TICK_IN_INITIALIZER, TickEmitter.WEIGHTED},
        {TickEmitter.HOOKS, TickEmitter.TICK_IN_LIBRARY, TickEmitter.ONE},
        {TickEmitter.HOOKS, TickEmitter.TICK_IN_LIBRARY, TickEmitter.WEIGHTED},
        {ProcessEntryRewriter.ENTRY, "main", ProcessEntryRewriter.MAIN_DESCRIPTOR},
        {ProcessEntryRewriter.ENTRY, "spawn", ProcessEntryRewriter.SPAWN_DESCRIPTOR},
        {ProcessEntryRewriter.ENTRY, "await", ProcessEntryRewriter.SPAWN_DESCRIPTOR},
    };

    private static final List<String[]> HOOKS = hooks();

    /** The ticks' and entries' hooks, then the waits'. */
    private static List<String[]> hooks() {
        List<String[]> all = new ArrayList<>(List.of(FIXED));
        for (WaitRewriter.Hook h : WaitRewriter.CALLS.values()) all.add(new String[] {WaitRewriter.WAITS, h.name(), h.descriptor()});
        for (WaitRewriter.Hook h : WaitRewriter.STATIC_CALLS.values()) all.add(new String[] {WaitRewriter.WAITS, h.name(), h.descriptor()});
        return all;
    }

    private RuntimeMatch() {}

    /**
     * Why the runtime that {@code loader} finds does not fit this agent, or null if it does.
     *
     * @param loader the loader rewritten classes resolve the runtime through (the system class loader)
     * @return one line naming the first missing hook and where the runtime came from, or null
     */
    static String mismatch(ClassLoader loader) {
        for (String[] h : HOOKS) {
            String owner = h[0].replace('/', '.');
            Class<?> c;
            try {
                c = Class.forName(owner, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return "it has no class " + owner;
            }
            if (!has(c, h[1], h[2])) {
                return "the runtime at " + where(c) + " has no " + owner + "." + h[1] + h[2]
                        + ", which rewritten code calls: it is another version than the agent";
            }
        }
        return null;
    }

    private static boolean has(Class<?> c, String name, String descriptor) {
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && Type.getMethodDescriptor(m).equals(descriptor)
                    && Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers())) {
                return true;
            }
        }
        return false;
    }

    private static String where(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        return cs == null || cs.getLocation() == null ? "(unknown)" : cs.getLocation().toString();
    }
}
