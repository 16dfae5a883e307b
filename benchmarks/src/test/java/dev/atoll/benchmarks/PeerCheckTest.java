package dev.atoll.benchmarks;

import dev.atoll.benchmarks.BenchReport.Better;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerCheckTest {

    @Test
    void aPeerPassesFromTheMinimumUp() {
        assertTrue(new PeerCheck("f", "p", "r", 60, 100, Better.HIGHER, 0.6, "").passed());
        assertFalse(new PeerCheck("f", "p", "r", 59.9, 100, Better.HIGHER, 0.6, "").passed());
        assertEquals(0.5, new PeerCheck("f", "p", "r", 50, 100, Better.HIGHER, 0.6, "").ratio());
    }

    @Test
    void aCpuTimeIsReferenceOverPeerSoAboveOneStillMeansThePeerDoesBetter() {
        PeerCheck costly = new PeerCheck("CPU per request", "p", "r", 4.0, 1.0, Better.LOWER, 0.35, "");
        assertEquals(0.25, costly.ratio());
        assertFalse(costly.passed());
        assertTrue(new PeerCheck("CPU per request", "p", "r", 1.0, 1.2, Better.LOWER, 0.7, "").passed());
    }

    @Test
    void aCheckWithoutFiguresNeverPasses() {
        assertFalse(new PeerCheck("f", "p", "r", 60, 0, Better.HIGHER, 0.6, "").passed());
        assertFalse(new PeerCheck("f", "p", "r", Double.NaN, 100, Better.HIGHER, 0.0, "").passed());
        assertFalse(new PeerCheck("f", "p", "r", 60, Double.NaN, Better.LOWER, 0.0, "").passed());
        assertFalse(new PeerCheck("f", "p", "r", 0, 1, Better.LOWER, 0.0, "").passed());
    }
}
