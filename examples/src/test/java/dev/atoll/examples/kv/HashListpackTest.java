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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hash's two encodings without a server, through {@link Hashes} as the commands reach them: the listpack
 * packed after its key in the entry's own array, against a model of insertion order, with the key's bytes
 * and the table's count of its bytes checked at every step; its conversion to a {@link HashValue} at Redis
 * 7.0's thresholds (more than 512 fields, a field or value over 64 bytes, as redis-server 7.0.15 does for
 * HSET, HSETNX and a long HINCRBYFLOAT result: KvRedisComparisonTest compares them with it).
 */
class HashListpackTest {
    private static final String KEY = "hash:000000000001";

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static KeyTable.Entry hash(KeyTable table, String key) {
        byte[] k = bytes("<" + key + ">"); // a range inside a larger array, as in a request
        return HashListpack.insert(table, k, 1, k.length - 2, KeyTable.hash(k, 1, k.length - 2));
    }

    private static boolean put(KeyTable table, KeyTable.Entry e, String field, String value) {
        return Hashes.put(table, e, bytes(field), bytes(value));
    }

    private static boolean remove(KeyTable table, KeyTable.Entry e, String field) {
        return Hashes.remove(table, e, bytes(field), 0, field.length());
    }

    /** The hash's fields and values in visiting order, read both ways (copies and ranges), which must agree. */
    private static Map<String, String> contents(KeyTable.Entry e) {
        Map<String, String> copies = new LinkedHashMap<>();
        Hashes.forEach(e, (f, v) -> copies.put(new String(f, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
        List<String> ranges = new ArrayList<>();
        Hashes.forEachRange(e, (f, fo, fl, v, vo, vl) -> {
            ranges.add(new String(f, fo, fl, StandardCharsets.UTF_8));
            ranges.add(new String(v, vo, vl, StandardCharsets.UTF_8));
        });
        List<String> flat = new ArrayList<>();
        copies.forEach((f, v) -> {
            flat.add(f);
            flat.add(v);
        });
        assertEquals(flat, ranges);
        assertEquals(copies.size(), Hashes.size(e));
        assertEquals(copies.size(), e.aggregateSize());
        return copies;
    }

    private static String get(KeyTable.Entry e, String field) {
        byte[] padded = bytes("<" + field + ">");
        Hashes.Found found = new Hashes.Found();
        if (!Hashes.get(e, padded, 1, padded.length - 2, found)) {
            return null;
        }
        return new String(found.array, found.offset, found.length, StandardCharsets.UTF_8);
    }

    /** The key is found by its bytes, reads back whole, and the table counts what its entry takes. */
    private static void assertKeyAndCount(KeyTable table, KeyTable.Entry e, String key) {
        byte[] k = bytes(key);
        assertSame(e, table.find(k, 0, k.length, KeyTable.hash(k, 0, k.length)));
        assertEquals(key, new String(e.key(), StandardCharsets.UTF_8));
        assertEquals(KeyTable.footprint(e), table.usedBytes());
    }

    @Test
    void listpackKeepsInsertionOrderThroughReplacesAndRemoves() {
        SplittableRandom random = new SplittableRandom(18);
        KeyTable table = new KeyTable();
        KeyTable.Entry e = hash(table, KEY);
        Map<String, String> model = new LinkedHashMap<>();
        for (int step = 0; step < 20_000; step++) {
            String field = "f" + random.nextInt(40);
            if (random.nextInt(3) == 0) {
                assertEquals(model.remove(field) != null, remove(table, e, field), field);
            } else {
                String value = "v".repeat(random.nextInt(65)); // 0 to 64 bytes: stays a listpack
                assertEquals(!model.containsKey(field), put(table, e, field, value));
                model.put(field, value); // a replaced value keeps its field's place, as in a listpack
            }
            assertEquals(model.get(field), get(e, field));
            assertKeyAndCount(table, e, KEY);
        }
        assertEquals("listpack", e.aggregateEncoding());
        assertEquals("hash", e.type());
        assertFalse(e.isString());
        assertNull(e.aggregate(), "no object beside the entry");
        assertEquals(model, contents(e));
        assertEquals(new ArrayList<>(model.keySet()), new ArrayList<>(contents(e).keySet()));
        KeyTable.Entry copy = hash(table, "another key, longer than the first"); // COPY, RENAME, a move: another key's bytes in front
        copy.copyValueOf(table, e);
        put(table, e, "only-in-the-original", "x");
        assertEquals(model, contents(copy));
        assertEquals("another key, longer than the first", new String(copy.key(), StandardCharsets.UTF_8));
        assertEquals(KeyTable.footprint(e) + KeyTable.footprint(copy), table.usedBytes());
    }

    /** Raised to 255 bytes, hash-max-listpack-value keeps fields and values of 128 to 255 bytes whole (one length byte, unsigned). */
    @Test
    void keepsFieldsAndValuesUpTo255BytesWhenTheThresholdAllows() {
        EncodingLimits.current = new EncodingLimits(512, 255, 128, 64, 512);
        try {
            KeyTable table = new KeyTable();
            KeyTable.Entry e = hash(table, KEY);
            String field = "f".repeat(200);
            String value = "v".repeat(255);
            put(table, e, field, value);
            put(table, e, "short", "x".repeat(128));
            assertEquals("listpack", e.aggregateEncoding());
            java.util.Map<String, String> read = new java.util.LinkedHashMap<>();
            Hashes.forEach(e, (f, v) -> read.put(new String(f, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
            assertEquals(java.util.Map.of(field, value, "short", "x".repeat(128)), read);
            put(table, e, field, "v".repeat(256));
            assertEquals("hashtable", e.aggregateEncoding(), "past the threshold");
        } finally {
            EncodingLimits.current = EncodingLimits.DEFAULT;
        }
    }

    @Test
    void convertsPastFiveHundredTwelveFields() {
        KeyTable table = new KeyTable();
        KeyTable.Entry e = hash(table, KEY);
        for (int i = 0; i < EncodingLimits.DEFAULT.hashEntries(); i++) {
            put(table, e, "f" + i, "v" + i);
        }
        assertEquals("listpack", e.aggregateEncoding());
        put(table, e, "f0", "again"); // a replace adds no field
        assertEquals("listpack", e.aggregateEncoding());
        assertKeyAndCount(table, e, KEY);
        put(table, e, "f512", "v");
        assertEquals("hashtable", e.aggregateEncoding());
        assertTrue(e.aggregate() instanceof HashValue && Hashes.isHash(e));
        assertEquals(513, Hashes.size(e));
        assertEquals("again", get(e, "f0"));
        assertEquals("v511", get(e, "f511"));
        assertTrue(remove(table, e, "f512"));
        assertEquals("hashtable", e.aggregateEncoding()); // and stays one, as in Redis
        table.account(e);
        assertKeyAndCount(table, e, KEY);
    }

    @Test
    void convertsOnAFieldOrValueOverSixtyFourBytes() {
        for (String[] big : new String[][] {{"f".repeat(65), "v"}, {"f", "v".repeat(65)}}) {
            KeyTable table = new KeyTable();
            KeyTable.Entry e = hash(table, KEY);
            put(table, e, "a", "1");
            put(table, e, "f".repeat(64), "v".repeat(64));
            assertEquals("listpack", e.aggregateEncoding());
            put(table, e, big[0], big[1]);
            assertEquals("hashtable", e.aggregateEncoding());
            assertEquals(Map.of("a", "1", "f".repeat(64), "v".repeat(64), big[0], big[1]), contents(e));
            assertEquals(KEY, new String(e.key(), StandardCharsets.UTF_8));
        }
        KeyTable table = new KeyTable();
        KeyTable.Entry replaced = hash(table, KEY);
        put(table, replaced, "a", "1");
        put(table, replaced, "a", "v".repeat(65)); // a long value for a field already there converts too
        assertEquals("hashtable", replaced.aggregateEncoding());
        assertEquals("v".repeat(65), get(replaced, "a"));
    }

    @Test
    void aSmallHashIsOneArrayWithItsKeyAndGivesBackWhatRemovesFree() {
        KeyTable table = new KeyTable();
        KeyTable.Entry e = hash(table, KEY);
        for (int i = 1; i <= 4; i++) {
            put(table, e, "field:" + i, "v" + 1000 * i);
        }
        // the key's 17 bytes, 2 header bytes, 4 x (1 + 7 + 1 + 5) = 75 bytes: an array of 80, 96 bytes with its header.
        assertEquals(80, e.data.length);
        assertEquals(KeyTable.ENTRY_BYTES + 96, table.usedBytes());
        for (int i = 0; i < 100; i++) {
            put(table, e, "x" + i, "y");
        }
        for (int i = 0; i < 100; i++) {
            assertTrue(remove(table, e, "x" + i));
        }
        assertFalse(remove(table, e, "x0"));
        assertTrue(e.data.length <= 2 * 80, "a listpack emptied of most fields shrinks: " + e.data.length);
        assertKeyAndCount(table, e, KEY);
        assertEquals(4, contents(e).size());
    }

    @Test
    void aKeyOf64KiBOrMoreHoldsAListpackToo() {
        KeyTable table = new KeyTable();
        String key = "k".repeat(70_000);
        KeyTable.Entry e = hash(table, key);
        put(table, e, "a", "1");
        put(table, e, "b", "2");
        assertTrue(remove(table, e, "a"));
        assertEquals("listpack", e.aggregateEncoding());
        assertEquals(Map.of("b", "2"), contents(e));
        assertKeyAndCount(table, e, key);
        e.setString(table, bytes("now a string"), 0, 12);
        assertEquals("now a string", new String(e.bytes(), StandardCharsets.UTF_8));
        assertKeyAndCount(table, e, key);
    }
}
