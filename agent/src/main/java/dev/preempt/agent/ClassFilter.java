package dev.preempt.agent;

import java.util.List;

/**
 * Which classes the agent rewrites: application classes only. Left alone: everything the bootstrap or
 * platform loader defines (the JDK), hidden and generated classes, Preempt's own runtime and agent
 * (but not its samples), and whatever the {@code include}/{@code exclude} options rule out.
 */
final class ClassFilter {

    private static final List<String> NEVER = List.of("java/", "jdk/", "sun/", "com/sun/",
            "dev/preempt/internal/", "dev/preempt/agent/");

    private final List<String> include;
    private final List<String> exclude;
    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();

    ClassFilter(List<String> include, List<String> exclude) {
        this.include = include;
        this.exclude = exclude;
    }

    boolean accepts(ClassLoader loader, String internalName) {
        if (internalName == null || loader == null || loader == platform) return false;
        if (internalName.contains("$$Lambda") || internalName.contains("$$Proxy") || internalName.startsWith("$Proxy")) {
            return false;
        }
        for (String p : NEVER) {
            if (internalName.startsWith(p)) return false;
        }
        // the public API package itself (dev.preempt.Preempt, Pid, ...) is runtime; its subpackages are not
        if (internalName.startsWith("dev/preempt/") && internalName.indexOf('/', "dev/preempt/".length()) < 0) {
            return false;
        }
        if (!include.isEmpty() && include.stream().noneMatch(internalName::startsWith)) return false;
        return exclude.stream().noneMatch(internalName::startsWith);
    }
}
