package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * The README's recording command, as a user runs it: the agent, {@code preempt.jfc}, a program; then
 * the file read back.
 */
class JfrRecordingIT {

    @Test
    void aRecordingWithPreemptJfcHoldsProcessAndPinEvents() throws IOException {
        Path file = recordingFile("static-init.jfr");
        Jvm.Result r = Jvm.withAgent("carriers=2").jvmArg(recordWithPreemptJfc(file)).run("dev.preempt.it.apps.StaticInitHog");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(file).isRegularFile();

        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Map<String, List<RecordedEvent>> byType = events.stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.preempt."))
                .collect(Collectors.groupingBy(e -> e.getEventType().getName()));
        // main, three users of another class, the initialiser, the waiter
        assertThat(byType.getOrDefault("dev.preempt.ProcessStart", List.of())).hasSizeGreaterThanOrEqualTo(5);
        List<RecordedEvent> exits = byType.getOrDefault("dev.preempt.ProcessExit", List.of());
        assertThat(exits).hasSizeGreaterThanOrEqualTo(5);
        assertThat(exits).allSatisfy(e -> {
            assertThat(e.getString("pid")).matches("<\\d+\\.\\d+\\.\\d+>");
            assertThat(e.getString("reason")).isEqualTo("normal");
        });
        assertThat(exits).anySatisfy(e -> assertThat(e.getLong("reductions")).isPositive());
        List<RecordedEvent> pins = byType.getOrDefault("dev.preempt.Pinned", List.of());
        assertThat(pins).as("the initialiser's refused yields").isNotEmpty();
        assertThat(pins).allSatisfy(e -> assertThat(e.getString("reason")).isEqualTo("class initializer"));
    }

    @Test
    void aHogBelowANativeFrameIsCountedAsPinnedWithThatReason() throws IOException {
        Path file = recordingFile("native-frame.jfr");
        // one carrier, two hogs: the one called through native reflection cannot yield to the other
        Jvm.Result r = Jvm.withAgent("carriers=1").jvmArg("-Djdk.reflect.useNativeAccessorOnly=true")
                .jvmArg(recordWithPreemptJfc(file)).run("dev.preempt.it.apps.NativeFrameHog");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.lines("result")).as(r.toString()).hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("value=350000000"));
        String reflective = r.lines("result who=reflective").get(0);
        assertThat(Long.parseLong(reflective.replaceAll(".*pins=(\\d+).*", "$1"))).isPositive();
        assertThat(r.lines("result who=plain").get(0)).endsWith("pins=0");

        List<RecordedEvent> pins = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.preempt.Pinned")).toList();
        assertThat(pins).isNotEmpty().allSatisfy(e -> assertThat(e.getString("reason")).isEqualTo("native frame"));
    }

    @Test
    void theAgentOptionJfrRecordsWithPreemptsSettingsFromAnyDirectory() throws IOException {
        Path elsewhere = Files.createTempDirectory(Jvm.work(), "anywhere");
        Jvm.Result r = Jvm.withAgent("carriers=2,jfr=here.jfr").directory(elsewhere).run("dev.preempt.it.apps.StaticInitHog");
        assertThat(r.exit()).as(r.toString()).isZero();
        Path file = elsewhere.resolve("here.jfr");
        assertThat(file).as("written in the JVM's working directory at exit").isRegularFile();
        Map<String, Long> counts = RecordingFile.readAllEvents(file).stream()
                .collect(Collectors.groupingBy(e -> e.getEventType().getName(), Collectors.counting()));
        assertThat(counts.getOrDefault("dev.preempt.ProcessExit", 0L)).isGreaterThanOrEqualTo(5);
        assertThat(counts.getOrDefault("dev.preempt.Pinned", 0L)).as("Pinned is on in preempt.jfc").isPositive();
        assertThat(counts.getOrDefault("dev.preempt.SliceEnd", 0L)).as("SliceEnd is off in preempt.jfc").isZero();
    }

    /** A fresh path for a recording. */
    private static Path recordingFile(String name) throws IOException {
        Path file = Jvm.work().resolve(name);
        Files.deleteIfExists(file);
        return file;
    }

    /** The README's flag: record with preempt.jfc into {@code file}. */
    private static String recordWithPreemptJfc(Path file) {
        Path jfc = Paths.get(System.getProperty("preempt.jfc", "../runtime/src/main/resources/preempt.jfc")).toAbsolutePath();
        assertThat(jfc).isRegularFile();
        return "-XX:StartFlightRecording:settings=" + jfc + ",filename=" + file;
    }
}
