package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fio's JSON as recorded from fio 3.33 (Debian 12) on this project's machine; no fio needed. */
class FioTest {

    private static String recorded(String name) throws IOException {
        try (InputStream in = FioTest.class.getResourceAsStream("/fio/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsTheIopsOfAGroupReportedRun() throws IOException {
        assertEquals(943364.317841, Fio.readIops(recorded("fio-3.33-io_uring-warm.json")), 1e-6);
        assertEquals(131221.389305, Fio.readIops(recorded("fio-3.33-io_uring-direct.json")), 1e-6);
    }

    @Test
    void sumsTheJobsOfARunWithoutGroupReporting() throws IOException {
        assertEquals(64260.739261 + 64546.453546, Fio.readIops(recorded("fio-3.33-io_uring-direct-two-jobs.json")), 1e-6);
    }

    @Test
    void skipsWarningsPrintedBeforeTheJson() throws IOException {
        String output = "fio: file hash not empty on exit\n" + recorded("fio-3.33-io_uring-warm.json");
        assertEquals(943364.317841, Fio.readIops(output), 1e-6);
    }

    @Test
    void aFailedJobIsAnErrorNotZeroIops() throws IOException {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Fio.readIops(recorded("fio-3.33-io_uring-missing-file.json")));
        assertTrue(e.getMessage().contains("error 2"), e.getMessage());
    }

    @Test
    void outputThatIsNotFiosJsonIsAnError() {
        assertThrows(IllegalStateException.class, () -> Fio.readIops("fio: unrecognized option '--bogus'\n"));
        assertThrows(IllegalStateException.class, () -> Fio.readIops("{ \"fio version\" : \"fio-3.33\", \"jobs\" : [] }"));
        assertThrows(IllegalArgumentException.class, () -> Fio.readIops("{ \"jobs\" : [ { \"error\" : 0, "));
    }

    @Test
    void theCommandKeepsThePageCacheAndSaysEverySetting() {
        List<String> command = new Fio("fio").randomReadCommand(Path.of("/data/f"), 4096, 32, 2, true, 5);
        assertTrue(command.containsAll(List.of("--filename=/data/f", "--ioengine=io_uring", "--iodepth=32",
                "--numjobs=2", "--direct=1", "--invalidate=0", "--bs=4096", "--runtime=5", "--readonly",
                "--output-format=json")), command.toString());
    }
}
