package dev.atoll.cluster;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CborSerializerTest {

    sealed interface Shape permits Circle, Square {
    }

    record Circle(double radius) implements Shape {
    }

    record Square(double side) implements Shape {
    }

    enum Colour { RED, BLUE }

    record Drawing(String title, Shape main, List<Shape> others, Map<String, Integer> counts, Colour colour, byte[] thumbnail) {
    }

    sealed interface Command permits Put, Get {
    }

    record Put(String key, long value) implements Command {
    }

    record Get(String key) implements Command {
    }

    record Unregistered(int n) {
    }

    /** A plain class: not a message type. */
    static final class Bean {
        public int n;
    }

    private final CborSerializer serializer = CborSerializer.of(Drawing.class, Command.class);

    @Test
    void recordsWithSealedFieldsEnumsAndCollectionsRoundTrip() {
        Drawing drawing = new Drawing("d", new Circle(1.5), List.of(new Square(2), new Circle(3)), Map.of("a", 1),
                Colour.BLUE, new byte[]{1, 2, 3});
        Drawing back = (Drawing) roundTrip(drawing);
        assertEquals(drawing.title(), back.title());
        assertEquals(drawing.main(), back.main());
        assertEquals(drawing.others(), back.others());
        assertEquals(drawing.counts(), back.counts());
        assertEquals(Colour.BLUE, back.colour());
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), List.of(back.thumbnail()[0], back.thumbnail()[1], back.thumbnail()[2]));
    }

    @Test
    void theImplementationsOfARegisteredSealedInterfaceTravel() {
        assertEquals(new Put("k", 7), roundTrip(new Put("k", 7)));
        assertEquals(new Get("k"), roundTrip(new Get("k")));
    }

    @Test
    void anUnregisteredTypeIsAClearErrorAtTheSender() {
        SerializationException e = assertThrows(SerializationException.class, () -> serializer.toBytes(new Unregistered(1)));
        assertTrue(e.getMessage().contains(Unregistered.class.getName()) && e.getMessage().contains("not a registered"),
                e.getMessage());
    }

    @Test
    void onlyRecordsEnumsAndSealedTypesCanBeRegistered() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CborSerializer.of(Bean.class));
        assertTrue(e.getMessage().contains(Bean.class.getName()), e.getMessage());
    }

    @Test
    void aTypeTheReceiverDoesNotAcceptIsRefused() {
        byte[] bytes = CborSerializer.of(Unregistered.class).toBytes(new Unregistered(1));
        SerializationException e = assertThrows(SerializationException.class, () -> serializer.fromBytes(bytes, 0, bytes.length));
        assertTrue(e.getMessage().contains("does not accept"), e.getMessage());
    }

    @Test
    void malformedBytesAreAnErrorNotAHang() {
        byte[] garbage = "not cbor at all".getBytes(StandardCharsets.US_ASCII);
        assertThrows(SerializationException.class, () -> serializer.fromBytes(garbage, 0, garbage.length));
        byte[] good = serializer.toBytes(new Get("k"));
        assertThrows(SerializationException.class, () -> serializer.fromBytes(good, 0, good.length - 2));
    }

    @Test
    void readsFromAnOffset() {
        byte[] good = serializer.toBytes(new Get("k"));
        byte[] framed = new byte[good.length + 5];
        System.arraycopy(good, 0, framed, 3, good.length);
        assertEquals(new Get("k"), serializer.fromBytes(framed, 3, good.length));
    }

    private Object roundTrip(Object message) {
        byte[] bytes = serializer.toBytes(message);
        return serializer.fromBytes(bytes, 0, bytes.length);
    }
}
