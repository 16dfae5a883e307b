package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExternalToolsTest {

    @Test
    void findsAProgramInTheDirectoriesOfAPathValue(@TempDir Path dir) throws IOException {
        Path tool = Files.createFile(dir.resolve("atoll-test-tool"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals(Optional.of(tool), ExternalTools.locate("atoll-test-tool", "/nonexistent:" + dir));
        assertEquals(Optional.of(tool), ExternalTools.locate(tool.toString(), ""));
    }

    @Test
    void aFileThatIsNotExecutableIsNotAProgram(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve("atoll-test-tool"));
        assertEquals(Optional.empty(), ExternalTools.locate("atoll-test-tool", dir.toString()));
    }

    @Test
    void aMissingProgramIsNamedWithItsPackageAndTheSetupScriptAndNothingIsInstalled() {
        ExternalTools.MissingProgram missing = assertThrows(ExternalTools.MissingProgram.class,
                () -> ExternalTools.require(List.of("sh", "atoll-no-such-program"), List.of("atoll-no-such-package")));
        assertEquals("atoll-no-such-program is not installed (Debian package atoll-no-such-package). Install it with"
                + " benchmarks/setup (everything the benchmarks drive) or, as root, apt-get install atoll-no-such-package;"
                + " the benchmarks never install packages themselves.", missing.getMessage());
    }

    @Test
    void programsThatArePresentAreReturnedWithTheirPaths() {
        List<String> found = ExternalTools.require(List.of("sh"), List.of("dash"));
        assertTrue(found.getFirst().endsWith("/sh"), found.toString());
    }

    @Test
    void theSetupScriptInstallsEveryProgramTheHarnessAsksFor() throws IOException {
        // The harness's messages send people to benchmarks/setup: it must know every package they name.
        String setup = Files.readString(Path.of("setup"));
        for (String program : List.of("wrk", "nginx", "redis-server", "redis-benchmark", "fio")) {
            assertTrue(setup.contains("PROGRAMS=\"") && setup.lines().anyMatch(l -> l.startsWith("PROGRAMS=") && l.contains(program)),
                    program + " is not in benchmarks/setup's PROGRAMS");
        }
        for (String debianPackage : List.of("wrk", "nginx-light", "redis-server", "redis-tools", "fio")) {
            assertTrue(setup.contains(") echo " + debianPackage + " ;;"), debianPackage + " is not installed by benchmarks/setup");
        }
    }
}
