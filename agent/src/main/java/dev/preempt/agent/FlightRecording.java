package dev.preempt.agent;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The agent option {@code jfr=FILE}: a JFR recording with Preempt's own settings ({@code preempt.jfc},
 * inside the agent jar: Preempt's events and the JDK events that go with them), started before
 * {@code main} and written to {@code FILE} when the JVM exits. The same as
 * {@code -XX:StartFlightRecording:settings=preempt.jfc,filename=FILE}, without a path to the settings.
 */
final class FlightRecording {

    private FlightRecording() {}

    static void start(String file) throws Exception {
        Configuration settings;
        try (InputStream in = FlightRecording.class.getResourceAsStream("/preempt.jfc")) {
            if (in == null) throw new IllegalStateException("preempt.jfc is missing from the agent jar");
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                settings = Configuration.create(r);
            }
        }
        Recording recording = new Recording(settings);
        recording.setName("preempt");
        recording.setToDisk(true);
        recording.setDumpOnExit(true);
        recording.setDestination(Path.of(file).toAbsolutePath());
        recording.start();
    }
}
