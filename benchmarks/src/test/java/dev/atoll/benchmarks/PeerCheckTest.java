package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerCheckTest {

    @Test
    void aPeerPassesFromTheMinimumUp() {
        assertTrue(new PeerCheck("f", "p", "r", 60, 100, 0.6, "").passed());
        assertFalse(new PeerCheck("f", "p", "r", 59.9, 100, 0.6, "").passed());
        assertEquals(0.5, new PeerCheck("f", "p", "r", 50, 100, 0.6, "").ratio());
    }

    @Test
    void aCheckWithoutFiguresNeverPasses() {
        assertFalse(new PeerCheck("f", "p", "r", 60, 0, 0.6, "").passed());
        assertFalse(new PeerCheck("f", "p", "r", Double.NaN, 100, 0.0, "").passed());
        assertFalse(new PeerCheck("f", "p", "r", 60, Double.NaN, 0.0, "").passed());
    }
}
