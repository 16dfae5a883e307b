package dev.atoll.examples;

import dev.atoll.examples.http.HttpServer;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM stops a server example with exit status 0, and what the JVM was asked to write at exit is written. */
class ServerStopTest {
    @Test
    void sigtermExitsZeroAndWritesTheFlightRecordingItsFilenameNames(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server.jfr");
        try (ServerProcess server = ServerProcess.start("", List.of("-XX:StartFlightRecording=filename=" + file),
                HttpServer.class, "--port", "0", "--shards", "1")) {
            server.process().destroy();   // SIGTERM
            assertTrue(server.awaitExit(30), () -> "still running 30 s after SIGTERM; output:\n" + server.output());
            assertEquals(0, server.process().exitValue(), server::output);
        }
        assertTrue(Files.size(file) > 0, "the recording was written at exit");
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.JVMInformation")),
                "a complete recording: " + events.size() + " events");
    }
}
