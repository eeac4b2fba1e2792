package dev.preempt.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two Preempt JVMs talk through epmd and the distribution protocol, with no BEAM node involved. */
@Timeout(90)
class PreemptPeersTest {

    private static String where(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void twoPreemptNodesPingAndMessageEachOther() throws Exception {
        Erl.ensureEpmd();
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        String cookie = "preempt-peers";
        try (Scheduler scheduler = Scheduler.builder().name("peers-test").build();
             Node node = Node.start(Node.options("jhere_" + suffix).cookie(cookie).scheduler(scheduler))) {
            Pid peerEcho = scheduler.spawn(() -> {
                Preempt.register("jpeer", Preempt.self());
                while (true) {
                    if (Preempt.receive() instanceof Tuple t && t.arity() == 2 && t.get(0) instanceof Pid from) {
                        Preempt.send(from, Tuple.of(Atom.of("thanks"), t.get(1)));
                    }
                }
            });
            String cp = String.join(java.io.File.pathSeparator, where(PeerMain.class), where(Node.class), where(Pid.class));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // The peer reads the cookie as erl does, from ~/.erlang.cookie (a home of its own here).
            Path home = Files.createTempDirectory("peer-home");
            Files.writeString(home.resolve(".erlang.cookie"), cookie + "\n");
            Process p = new ProcessBuilder(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                    "--add-opens", "java.base/jdk.internal.vm=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                    "-Dpreempt.quiet=true", "-Duser.home=" + home, "-cp", cp, PeerMain.class.getName(), "jthere_" + suffix, "-",
                    node.name()))
                    .redirectErrorStream(true).start();
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) lines.add(l);
                } catch (Exception ignored) {
                    // the process ended
                }
            });
            try (OutputStream stdin = p.getOutputStream()) {
                String ready = awaitLine(lines, "ready ");
                String peer = ready.substring("ready ".length());
                // this JVM -> the other
                assertThat(node.ping(peer, Duration.ofSeconds(10))).isTrue();
                scheduler.runOrThrow(() -> {
                    node.send("echo", peer, Tuple.of(Preempt.self(), 42L));
                    assertThat(Preempt.receive(Duration.ofSeconds(10))).contains(Tuple.of(Atom.of("echo"), 42L));
                });
                // the other -> this JVM
                stdin.write('\n');
                stdin.flush();
                assertThat(awaitLine(lines, "ping ")).isEqualTo("ping true");
                assertThat(awaitLine(lines, "reply ")).isEqualTo("reply {thanks, <<\"from the other JVM\">>}");
            } finally {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
                Preempt.exit(peerEcho, dev.preempt.ExitReason.KILL);
            }
        }
    }

    @Test
    void withNoCookieGivenAndNoCookieFileTheNodeSaysWhereItLooked() throws Exception {
        Path home = Files.createTempDirectory("no-cookie-home");
        String was = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            assertThatThrownBy(() -> Node.start(Node.options("jnocookie")))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining(home.resolve(".erlang.cookie").toString())
                    .hasMessageContaining("cookie(");
            Files.writeString(home.resolve(".erlang.cookie"), "\n");
            assertThatThrownBy(() -> Node.start(Node.options("jnocookie")))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("is empty");
        } finally {
            System.setProperty("user.home", was);
        }
    }

    private static String awaitLine(LinkedBlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l == null) continue;
            if (l.startsWith(prefix)) return l;
            seen.append(l).append('\n');
        }
        throw new AssertionError("the peer JVM printed no '" + prefix + "' line in 30 s; it printed:\n" + seen);
    }
}
