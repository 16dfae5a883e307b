package dev.atoll.cluster;

/**
 * Turns messages into bytes for other nodes and back: {@link CborSerializer} (Jackson CBOR, records,
 * enums and sealed interfaces) by default; another format plugs in by implementing this. Java
 * serialization is never used. Implementations are thread-safe.
 */
public interface Serializer {

    /**
     * The bytes of {@code message}, naming its type, so {@link #fromBytes} can rebuild it.
     *
     * @throws SerializationException when the message's type cannot be sent (not registered, not
     *                                serializable): the caller's error, reported where it sent it
     */
    byte[] toBytes(Object message);

    /**
     * The message {@code length} bytes from {@code offset} hold.
     *
     * @throws SerializationException when the bytes are malformed or name a type this side does not accept
     */
    Object fromBytes(byte[] bytes, int offset, int length);
}
