package dev.preempt.it.apps;

import dev.preempt.Preempt;
import dev.preempt.Process;
import org.apache.commons.lang3.StringUtils;

/**
 * What a library sees of itself (its package's manifest attributes, its code source, its class
 * loader's relation to the application's) and a hog in it beside a witness: run with commons-lang3 on
 * the class path, the same under the agent, under PreemptLoader and unrewritten, except that the hog is
 * preempted only where its classes were rewritten.
 */
public final class LibraryIdentity {

    private LibraryIdentity() {}

    /** How many times the system class loader lists a resource (once per jar that has it). */
    static int listed(String name) {
        try {
            return java.util.Collections.list(ClassLoader.getSystemClassLoader().getResources(name)).size();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /**
     * Whether the application's own module finds a class-path resource: {@code Module.getResourceAsStream}
     * asks the module's loader alone, not its parent (Kotlin's reflection reads its built-ins this way).
     */
    static boolean moduleResource(String name) {
        try (java.io.InputStream in = LibraryIdentity.class.getModule().getResourceAsStream(name)) {
            return in != null;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Process
    public static void main(String[] args) {
        Package p = StringUtils.class.getPackage();
        System.out.println("identity version=" + p.getImplementationVersion() + " title=" + String.valueOf(p.getImplementationTitle()).replace(" ", "_")
                + " source=" + StringUtils.class.getProtectionDomain().getCodeSource().getLocation()
                + " sameLoader=" + (StringUtils.class.getClassLoader() == LibraryIdentity.class.getClassLoader())
                + " systemLoader=" + (ClassLoader.getSystemClassLoader() == LibraryIdentity.class.getClassLoader())
                + " resource=" + (LibraryIdentity.class.getResource("/org/apache/commons/lang3/StringUtils.class") != null)
                + " listed=" + listed("META-INF/maven/org.apache.commons/commons-lang3/pom.properties")
                + " moduleResource=" + moduleResource("org/apache/commons/lang3/StringUtils.class"));
        if (!Preempt.inProcess()) return;
        // on one carrier: the witness counts only while the hog, a loop of commons-lang3 calls, yields to it
        java.util.concurrent.atomic.AtomicLong witness = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Preempt.spawn(() -> {
            while (!done.get()) {
                witness.incrementAndGet();
                Preempt.yield();
            }
        });
        long n = 0;
        for (int i = 0; i < 3_000_000; i++) n += StringUtils.countMatches("abcabcabc" + (i & 7), 'c');
        done.set(true);
        System.out.println("hog result=" + n + " witness=" + witness.get());
    }
}
