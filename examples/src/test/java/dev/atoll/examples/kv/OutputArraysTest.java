package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class OutputArraysTest {

    @Test
    void anArrayGivenBackIsTheNextTakeOfItsPowerOfTwo() {
        OutputArrays arrays = new OutputArrays();
        byte[] first = arrays.take(600);
        assertEquals(1024, first.length);
        arrays.give(first);
        assertSame(first, arrays.take(1000));
        assertEquals(2048, arrays.take(1025).length);
        assertEquals(1 << 20, arrays.take(1 << 20).length);
        assertEquals((1 << 20) + 1, arrays.take((1 << 20) + 1).length); // beyond the kept sizes: exactly what was asked
    }

    @Test
    void onlyPowersOfTwoFrom512BytesToOneMibAreKeptAndNoMoreThanEightMibInAll() {
        OutputArrays arrays = new OutputArrays();
        for (int length : new int[] {256, 1500, 2 << 20}) {
            byte[] odd = new byte[length];
            arrays.give(odd);
            assertNotSame(odd, arrays.take(length), length + " bytes");
        }
        List<byte[]> given = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            byte[] mib = new byte[1 << 20];
            given.add(mib);
            arrays.give(mib);
        }
        for (int i = 7; i >= 0; i--) {
            assertSame(given.get(i), arrays.take(1 << 20), "taken in the reverse order of giving");
        }
        assertNotSame(given.get(8), arrays.take(1 << 20), "the ninth MiB was over the bound and not kept");
    }

    @Test
    void aWriterGrowsIntoTheArrayAnotherGaveBackWhenItShrankAndKeepsItsBytes() {
        OutputArrays arrays = new OutputArrays();
        byte[] value = new byte[9];
        Arrays.fill(value, (byte) 'x');
        ReplyWriter first = new ReplyWriter(512, arrays);
        for (int i = 0; i < 600; i++) { // 600 bulk strings of 9 bytes, about 9 KB: a large LRANGE reply
            first.bulk(value);
        }
        byte[] grown = first.bytes();
        assertEquals(16 * 1024, grown.length); // 512, then doubled five times
        first.clear();
        first.trim(512); // after a burst, as a connection's output does
        assertEquals(512, first.bytes().length);

        ReplyWriter second = new ReplyWriter(512, arrays);
        second.raw(new byte[] {'+', 'O', 'K', '\r', '\n'});
        for (int i = 0; i < 600; i++) {
            second.bulk(value);
        }
        assertSame(grown, second.bytes(), "the second writer's growth took the first one's array");
        byte[] expected = new byte[5 + 600 * 15];
        System.arraycopy(new byte[] {'+', 'O', 'K', '\r', '\n'}, 0, expected, 0, 5);
        for (int i = 0; i < 600; i++) {
            System.arraycopy("$9\r\nxxxxxxxxx\r\n".getBytes(StandardCharsets.US_ASCII), 0, expected, 5 + i * 15, 15);
        }
        assertArrayEquals(expected, Arrays.copyOf(second.bytes(), second.size()));
    }

    @Test
    void aReleasedWriterGivesItsArrayBackAndGrowsANewOneForWhatComesAfter() {
        OutputArrays arrays = new OutputArrays();
        ReplyWriter closed = new ReplyWriter(512, arrays);
        closed.raw(new byte[3000]);
        byte[] held = closed.bytes();
        closed.release(); // its connection closed
        assertEquals(0, closed.size());
        ReplyWriter next = new ReplyWriter(512, arrays);
        next.raw(new byte[3000]);
        assertSame(held, next.bytes(), "the next connection's output grew into the released array");
        closed.raw(new byte[] {'+', 'O', 'K', '\r', '\n'}); // a late reply for the closed connection
        assertNotSame(held, closed.bytes(), "what came after the release did not write into the reused array");
    }
}
