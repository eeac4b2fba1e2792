package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** What the agent promises when it is given bad options or a class it cannot rewrite. */
class AgentFailuresIT {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "budget=lots|budget",
            "colour=red|unknown option 'colour'",
            "log=loud|log=loud",
            "budget|budget",
            "budget=100,budget=200|given twice",
            "include=dev.preempt.it,exclude=dev.preempt.it|nothing under it would be rewritten"})
    void aBadOptionStopsTheJvmWithOneClearLine(String options, String mentions) {
        Jvm.Result r = Jvm.withAgent(options).run("dev.preempt.it.apps.OneScheduler");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).as("the program did not run").isEmpty();
        assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith(Jvm.badOptionPrefix()).contains(mentions);
    }

    /**
     * A runtime of another version first on the class path (a jar built before a hook was added): the JVM
     * stops at once with one line naming the hook and the runtime's place. Rewritten code used to fail at
     * its first tick with NoSuchMethodError instead, every process ending at once.
     */
    @Test
    void aRuntimeOfAnotherVersionOnTheClassPathStopsTheJvmWithOneClearLine() throws IOException {
        Path src = Jvm.work().resolve("old-runtime-src/dev/preempt/internal/hooks/Reductions.java");
        Path out = Jvm.work().resolve("old-runtime");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package dev.preempt.internal.hooks; public final class Reductions {"
                + " public static void tick() {} public static void tick(int w) {} }");
        java.io.StringWriter w = new java.io.StringWriter();
        int status = java.util.spi.ToolProvider.findFirst("javac").orElseThrow()
                .run(new java.io.PrintWriter(w), new java.io.PrintWriter(w), "-d", out.toString(), src.toString());
        assertThat(status).as(w.toString()).isZero();
        Jvm.Result r = Jvm.withAgent("").classPath(out).run("dev.preempt.it.apps.OneScheduler");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).as("the program did not run").isEmpty();
        assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).contains("[preempt] error: the runtime at file:" + out.toAbsolutePath() + "/")
                .contains("has no dev.preempt.internal.hooks.Reductions.tickInInitializer()V");
    }

    @Test
    void aClassTheRewriterCannotHandleIsLoadedUnchangedWithOneWarning() throws IOException {
        Path dir = Jvm.work().resolve("huge");
        Path file = dir.resolve("dev/preempt/it/gen/Huge.class");
        Files.createDirectories(file.getParent());
        Files.write(file, hugeClass());
        Jvm.Result r = Jvm.withAgent("").onlyClassPath(dir).run("dev.preempt.it.gen.Huge");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as("the program ran, uninstrumented").isEqualTo("huge result=" + PADDING + System.lineSeparator());
        assertThat(r.err().lines().filter(l -> l.contains("cannot instrument dev.preempt.it.gen.Huge")).count())
                .as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("loaded unchanged");
    }

    static final int PADDING = 21_838;

    /**
     * A class whose {@code big()} has a loop and is 65,533 bytes of code: one tick more (3 bytes) passes
     * the JVM's 65,535-byte limit, so the rewriter throws.
     */
    static byte[] hugeClass() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V21, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, "dev/preempt/it/gen/Huge", null, "java/lang/Object", null);
        MethodVisitor big = cw.visitMethod(Opcodes.ACC_STATIC, "big", "()I", null, null);
        big.visitCode();
        big.visitInsn(Opcodes.ICONST_0);
        big.visitVarInsn(Opcodes.ISTORE, 0);
        big.visitInsn(Opcodes.ICONST_0);
        big.visitVarInsn(Opcodes.ISTORE, 1);
        Label loop = new Label();
        big.visitLabel(loop);
        big.visitIincInsn(0, 1);
        big.visitVarInsn(Opcodes.ILOAD, 0);
        big.visitIntInsn(Opcodes.BIPUSH, 10);
        big.visitJumpInsn(Opcodes.IF_ICMPLT, loop); // 13 bytes so far
        for (int i = 0; i < PADDING; i++) big.visitIincInsn(1, 1); // 3 bytes each
        for (int i = 0; i < 4; i++) big.visitInsn(Opcodes.NOP);
        big.visitVarInsn(Opcodes.ILOAD, 1);
        big.visitInsn(Opcodes.IRETURN); // 13 + 65,514 + 4 + 2 = 65,533
        big.visitMaxs(0, 0);
        big.visitEnd();
        MethodVisitor main = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "main", "([Ljava/lang/String;)V", null, null);
        main.visitCode();
        main.visitFieldInsn(Opcodes.GETSTATIC, "java/lang/System", "out", "Ljava/io/PrintStream;");
        main.visitMethodInsn(Opcodes.INVOKESTATIC, "dev/preempt/it/gen/Huge", "big", "()I", false);
        main.visitInvokeDynamicInsn("concat", "(I)Ljava/lang/String;",
                new org.objectweb.asm.Handle(Opcodes.H_INVOKESTATIC, "java/lang/invoke/StringConcatFactory", "makeConcatWithConstants",
                        "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/String;[Ljava/lang/Object;)Ljava/lang/invoke/CallSite;",
                        false),
                "huge result=\u0001");
        main.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/io/PrintStream", "println", "(Ljava/lang/String;)V", false);
        main.visitInsn(Opcodes.RETURN);
        main.visitMaxs(0, 0);
        main.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    @Test
    void filtersThatLeaveNothingToRewriteAreNamedBeforeMainRuns() {
        // a class where a package is wanted: nothing matches, so nothing would be preemptible
        Jvm.Result r = Jvm.withAgent("include=dev.preempt.it.apps.OneScheduler").run("dev.preempt.it.apps.OneScheduler");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("include=dev.preempt.it.apps.OneScheduler looks like a class name")
                .contains("no class had been rewritten when the main class dev.preempt.it.apps.OneScheduler loaded")
                .contains("include and exclude take package prefixes");
        Jvm.Result fine = Jvm.withAgent("include=dev.preempt.it.apps").run("dev.preempt.it.apps.OneScheduler");
        assertThat(fine.err()).as(fine.toString()).doesNotContain("warning");
    }

    @Test
    void underTheAgentAMainThatIsNotAProcessIsToldHowToBecomeOne() {
        Jvm.Result r = Jvm.withAgent("").run("dev.preempt.it.apps.NotAProcess");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("must be called inside a Preempt process").contains("annotate it with @dev.preempt.Process");
    }
}
