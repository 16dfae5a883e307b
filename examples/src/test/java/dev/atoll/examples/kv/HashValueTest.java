package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hash's two encodings without a server: the listpack (one array) against a model of insertion
 * order, and its conversion to a hashtable at Redis 7.0's thresholds (more than 512 fields, a field
 * or value over 64 bytes, as redis-server 7.0.15 does for HSET, HSETNX and a long HINCRBYFLOAT
 * result: KvRedisComparisonTest compares them with it).
 */
class HashValueTest {
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The hash's fields and values in visiting order, read both ways (copies and ranges), which must agree. */
    private static Map<String, String> contents(HashValue h) {
        Map<String, String> copies = new LinkedHashMap<>();
        h.forEach((f, v) -> copies.put(new String(f, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
        List<String> ranges = new ArrayList<>();
        h.forEachRange((f, fo, fl, v, vo, vl) -> {
            ranges.add(new String(f, fo, fl, StandardCharsets.UTF_8));
            ranges.add(new String(v, vo, vl, StandardCharsets.UTF_8));
        });
        List<String> flat = new ArrayList<>();
        copies.forEach((f, v) -> {
            flat.add(f);
            flat.add(v);
        });
        assertEquals(flat, ranges);
        assertEquals(copies.size(), h.size());
        return copies;
    }

    private static String get(HashValue h, String field) {
        byte[] padded = bytes("<" + field + ">"); // a range inside a larger array, as in a request
        HashValue.Found found = new HashValue.Found();
        if (!h.get(padded, 1, padded.length - 2, found)) {
            return null;
        }
        return new String(found.array, found.offset, found.length, StandardCharsets.UTF_8);
    }

    @Test
    void listpackKeepsInsertionOrderThroughReplacesAndRemoves() {
        SplittableRandom random = new SplittableRandom(18);
        HashValue h = new HashValue();
        Map<String, String> model = new LinkedHashMap<>();
        for (int step = 0; step < 20_000; step++) {
            String field = "f" + random.nextInt(40);
            if (random.nextInt(3) == 0) {
                assertEquals(model.remove(field) != null, h.remove(bytes(field), 0, field.length()), field);
            } else {
                String value = "v".repeat(random.nextInt(65)); // 0 to 64 bytes: stays a listpack
                assertEquals(!model.containsKey(field), h.put(bytes(field), bytes(value)));
                model.put(field, value); // a replaced value keeps its field's place, as in a listpack
            }
            assertEquals(model.get(field), get(h, field));
        }
        assertEquals("listpack", h.encoding());
        assertEquals(model, contents(h));
        assertEquals(new ArrayList<>(model.keySet()), new ArrayList<>(contents(h).keySet()));
        HashValue copy = h.copy();
        h.put(bytes("only-in-the-original"), bytes("x"));
        assertEquals(model, contents(copy));
    }

    @Test
    void convertsPastFiveHundredTwelveFields() {
        HashValue h = new HashValue();
        for (int i = 0; i < HashValue.MAX_LISTPACK_ENTRIES; i++) {
            h.put(bytes("f" + i), bytes("v" + i));
        }
        assertEquals("listpack", h.encoding());
        h.put(bytes("f0"), bytes("again")); // a replace adds no field
        assertEquals("listpack", h.encoding());
        h.put(bytes("f512"), bytes("v"));
        assertEquals("hashtable", h.encoding());
        assertEquals(513, h.size());
        assertEquals("again", get(h, "f0"));
        assertEquals("v511", get(h, "f511"));
        assertTrue(h.remove(bytes("f512"), 0, 4));
        assertEquals("hashtable", h.encoding()); // and stays one, as in Redis
    }

    @Test
    void convertsOnAFieldOrValueOverSixtyFourBytes() {
        for (String[] big : new String[][] {{"f".repeat(65), "v"}, {"f", "v".repeat(65)}}) {
            HashValue h = new HashValue();
            h.put(bytes("a"), bytes("1"));
            h.put(bytes("f".repeat(64)), bytes("v".repeat(64)));
            assertEquals("listpack", h.encoding());
            h.put(bytes(big[0]), bytes(big[1]));
            assertEquals("hashtable", h.encoding());
            assertEquals(Map.of("a", "1", "f".repeat(64), "v".repeat(64), big[0], big[1]), contents(h));
        }
        HashValue replaced = new HashValue();
        replaced.put(bytes("a"), bytes("1"));
        replaced.put(bytes("a"), bytes("v".repeat(65))); // a long value for a field already there converts too
        assertEquals("hashtable", replaced.encoding());
        assertEquals("v".repeat(65), get(replaced, "a"));
    }

    @Test
    void estimatesOneArrayForAListpackAndGivesBackWhatRemovesFree() {
        HashValue h = new HashValue();
        for (int i = 1; i <= 4; i++) {
            h.put(bytes("field:" + i), bytes("v" + 1000 * i));
        }
        // 2 header bytes + 4 x (1 + 7 + 1 + 5) = 58 bytes: an array of 64, 80 bytes with its header, plus the object.
        assertEquals(16 + 80, h.bytes());
        for (int i = 0; i < 100; i++) {
            h.put(bytes("x" + i), bytes("y"));
        }
        for (int i = 0; i < 100; i++) {
            assertTrue(h.remove(bytes("x" + i), 0, ("x" + i).length()));
        }
        assertFalse(h.remove(bytes("x0"), 0, 2));
        assertTrue(h.bytes() <= 16 + 16 + 2 * 64, "a listpack emptied of most fields shrinks: " + h.bytes());
        assertNotSame(h.copy(), h);
        assertEquals(4, h.copy().size());
    }
}
