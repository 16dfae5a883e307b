package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerProcessFlagsTest {

    @Test
    void aServerThatNamesItsCollectorReplacesTheHarnesss() {
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx2g"),
                ServerProcess.flagsUnder(List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseZGC", "-XX:+ZGenerational", "-Xmx2g"),
                        List.of("-XX:+UseParallelGC")));
    }

    @Test
    void withoutACollectorOfItsOwnAServerKeepsTheHarnesssAndAFlagInBothComesOnce() {
        assertEquals(List.of("-XX:+UseZGC"),
                ServerProcess.flagsUnder(List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseZGC"),
                        List.of("--enable-native-access=ALL-UNNAMED", "-Dx=y")));
    }
}
