package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerProcessTest {
    private static final Map<String, String> READY = Map.of("example", "sh", "host", "127.0.0.1", "port", "1234",
            "driver", "none", "shards", "1");

    @Test
    void startsAnyProgramAndWaitsForTheLineItsSignalRecognizes() throws Exception {
        ServerProcess server = ServerProcess.start("sh", List.of("sh", "-c", "echo booting; echo READY; exec sleep 60"),
                line -> line.equals("READY") ? READY : null);
        try {
            assertTrue(server.isAlive());
            assertEquals(1234, server.port());
            assertEquals("none", server.driver());
            assertTrue(ProcessHandle.of(server.pid()).isPresent());
        } finally {
            server.stop();
        }
        assertFalse(server.isAlive());
    }

    @Test
    void aProgramThatEndsWithoutItsReadyLineFailsWithWhatItPrinted() {
        ServerProcess.StartFailure failure = assertThrows(ServerProcess.StartFailure.class,
                () -> ServerProcess.start("sh", List.of("sh", "-c", "echo oops; echo bad port >&2; exit 3"),
                        line -> line.equals("READY") ? READY : null));
        assertTrue(failure.getMessage().contains("exit status 3"), failure.getMessage());
        assertTrue(failure.output().contains("oops") && failure.output().contains("bad port"), failure.output());
    }
}
