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
            assertTrue(Examples.list().contains("  " + e.name() + "  " + e.description() + "\n"), Examples.list());
        }
    }

    @Test
    void findsByExactName() {
        assertEquals("hello", Examples.find("hello").orElseThrow().name());
        assertTrue(Examples.find("Hello").isEmpty());
    }
}
