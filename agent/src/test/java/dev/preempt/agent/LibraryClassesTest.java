package dev.preempt.agent;

import static dev.preempt.agent.TestClasses.bytes;
import static dev.preempt.agent.TestClasses.internal;
import static dev.preempt.agent.TestClasses.node;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * A library's class (a jar other than the main class's) gets {@code tickInLibrary}, the application's
 * (a directory, the main class's jar, no code source) {@code tick}; a class initialiser keeps its own hook.
 */
class LibraryClassesTest {

    static ProtectionDomain at(String url) throws Exception {
        URL u = new URL(null, url, new java.net.URLStreamHandler() { // jar:nested: has no handler here
            @Override
            protected java.net.URLConnection openConnection(URL v) {
                throw new UnsupportedOperationException(v.toString());
            }
        });
        return new ProtectionDomain(new CodeSource(u, (Certificate[]) null), null);
    }

    @Test
    void aJarOtherThanTheMainClasssIsALibrarys() throws Exception {
        LibraryClasses l = new LibraryClasses();
        assertThat(l.isLibrary(at("file:/opt/app/libs/jackson-databind-2.18.2.jar"))).isTrue();
        assertThat(l.isLibrary(at("file:/opt/app/target/classes/"))).isFalse();
        assertThat(l.isLibrary(null)).isFalse();
        assertThat(l.isLibrary(new ProtectionDomain(null, null))).isFalse();
        assertThat(l.isLibrary(at("file:/opt/app/app.jar"))).as("before the main class loads").isTrue();
        l.mainLoads(at("file:/opt/app/app.jar"));
        assertThat(l.isLibrary(at("file:/opt/app/app.jar"))).isFalse();
        assertThat(l.isLibrary(at("file:/opt/app/libs/guava-33.5.0-jre.jar"))).isTrue();
    }

    /** A Spring Boot fat jar: its own classes are the application's, the jars nested in it libraries. */
    @Test
    void aFatJarsNestedJarsAreLibrariesItsClassesTheApplications() throws Exception {
        LibraryClasses l = new LibraryClasses();
        assertThat(l.isLibrary(at("jar:nested:/opt/app.jar/!BOOT-INF/lib/jackson-databind-2.18.2.jar!/"))).isTrue();
        assertThat(l.isLibrary(at("jar:file:/opt/app.jar!/BOOT-INF/lib/jackson-databind-2.18.2.jar!/"))).isTrue();
        assertThat(l.isLibrary(at("jar:file:/opt/libs/x.jar!/"))).isTrue();
        assertThat(l.isLibrary(at("jar:nested:/opt/app.jar/!BOOT-INF/classes/!/"))).isFalse();
        assertThat(l.isLibrary(at("jar:file:/opt/app.jar!/BOOT-INF/classes!/"))).isFalse();
        assertThat(l.isLibrary(at("jar:file:/opt/app.war!/WEB-INF/classes!/"))).isFalse();
    }

    /** Code with calls, a loop and a static initialiser. */
    public static final class Busy {
        static int seed = Integer.getInteger("busy.seed", 3);

        public static int work(int n) {
            int s = 0;
            for (int i = 0; i < n; i++) s += Integer.toString(i).length();
            return s + seed;
        }
    }

    @Test
    void aLibrarysClassTicksWithTheLibrarysHook() throws Exception {
        ClassNode own = node(new ClassRewriter(1000).rewrite(bytes(Busy.class), getClass().getClassLoader(), internal(Busy.class), false));
        ClassNode lib = node(new ClassRewriter(1000).rewrite(bytes(Busy.class), getClass().getClassLoader(), internal(Busy.class), true));
        assertThat(hooks(own, "work")).containsOnly(TickEmitter.TICK);
        assertThat(hooks(lib, "work")).containsOnly(TickEmitter.TICK_IN_LIBRARY);
        assertThat(hooks(lib, "<clinit>")).containsOnly(TickEmitter.TICK_IN_INITIALIZER);
    }

    private static Set<String> hooks(ClassNode cn, String method) {
        Set<String> out = new HashSet<>();
        for (MethodNode m : cn.methods) {
            if (!m.name.equals(method)) continue;
            for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
                if (n instanceof MethodInsnNode c && c.owner.equals(TickEmitter.HOOKS)) out.add(c.name);
            }
        }
        return out;
    }
}
