package dev.atoll.examples;

import org.junit.jupiter.api.Test;

import java.util.HashSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExamplesTest {

    @Test
    void namesAreUniqueAndListed() {
        var names = new HashSet<String>();
        int width = Examples.ALL.stream().mapToInt(e -> e.name().length()).max().orElse(0);
        for (Example e : Examples.ALL) {
            assertTrue(names.add(e.name()), "duplicate example " + e.name());
            assertTrue(e.name().matches("[a-z][a-z0-9-]*"), "a name one can type: " + e.name());
            String padded = e.name() + " ".repeat(width - e.name().length());   // names are aligned
            assertTrue(Examples.list().contains("  " + padded + "  " + e.description() + "\n"), Examples.list());
        }
    }

    @Test
    void findsByExactName() {
        assertEquals("hello", Examples.find("hello").orElseThrow().name());
        assertTrue(Examples.find("Hello").isEmpty());
    }
}
