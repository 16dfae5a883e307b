package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BenchArgsTest {

    @Test
    void parsesJsonAndQuickInAnyOrder() {
        assertEquals(new BenchArgs("mesh", Optional.empty(), false), BenchArgs.parse("mesh"));
        assertEquals(new BenchArgs("mesh", Optional.of(Path.of("r.json")), true), BenchArgs.parse("mesh", "--json", "r.json", "--quick"));
        assertEquals(new BenchArgs("mesh", Optional.of(Path.of("r.json")), true), BenchArgs.parse("mesh", "--quick", "--json=r.json"));
    }

    @Test
    void commandReproducesTheRun() {
        assertEquals("./atoll bench mesh --quick", BenchArgs.parse("mesh", "--json", "x.json", "--quick").command());
        assertEquals("./atoll bench mesh", BenchArgs.parse("mesh").command());
    }

    @Test
    void rejectsUnknownOptionsAndMissingFileNames() {
        assertEquals("unknown option --fast (expected --json FILE or --quick)",
                assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse("mesh", "--fast")).getMessage());
        assertEquals("--json needs a file name",
                assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse("mesh", "--json")).getMessage());
        assertEquals("--json needs a file name",
                assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse("mesh", "--json", "--quick")).getMessage());
        assertEquals("--json needs a file name",
                assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse("mesh", "--json=")).getMessage());
    }

    @Test
    void emptyRegistrySaysSo() {
        assertEquals(Benchmarks.ALL.isEmpty(), Benchmarks.list().equals("No benchmarks yet.\n"));
    }
}
