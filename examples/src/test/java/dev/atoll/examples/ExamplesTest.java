package dev.atoll.examples;

import org.junit.jupiter.api.Test;

import java.util.HashSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExamplesTest {

    @Test
    void namesAreUniqueAndListed() {
        var names = new HashSet<String>();
        for (Example e : Examples.ALL) {
            assertTrue(names.add(e.name()), "duplicate example " + e.name());
            assertTrue(e.name().matches("[a-z][a-z0-9-]*"), "a name one can type: " + e.name());
            // Names are padded to the longest, so the gap is at least two spaces.
            assertTrue(Examples.list().lines().anyMatch(line -> line.startsWith("  " + e.name() + "  ")
                    && line.endsWith(e.description())), Examples.list());
        }
    }

    @Test
    void findsByExactName() {
        assertEquals("hello", Examples.find("hello").orElseThrow().name());
        assertTrue(Examples.find("Hello").isEmpty());
    }
}
