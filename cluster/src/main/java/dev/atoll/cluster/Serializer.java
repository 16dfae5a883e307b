package dev.atoll.cluster;

import dev.atoll.actors.Reply;

import java.util.function.Function;

/**
 * Turns messages into bytes for other nodes and back: {@link CborSerializer} (Jackson CBOR, records,
 * enums and sealed interfaces) by default; another format plugs in by implementing this. Java
 * serialization is never used. Implementations are thread-safe.
 *
 * <p>A {@link Reply} field (an ask across nodes) travels as the {@link ClusterReply#address()} of the
 * {@link ClusterReply} in it, and is rebuilt on the receiving node by the function passed to
 * {@link #fromBytes(byte[], int, int, Function)}; {@link AskFailure}, {@link ActorAddress} and the
 * cluster's control messages (the records of the package's {@code Control} interface: death watch,
 * lookup, sharded entities) must always be accepted.
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
     * The message {@code length} bytes from {@code offset} hold; each {@link Reply} in it is
     * {@code replies} applied to the address it travelled as.
     *
     * @throws SerializationException when the bytes are malformed or name a type this side does not accept
     */
    Object fromBytes(byte[] bytes, int offset, int length, Function<ActorAddress, ? extends Reply<?>> replies);

    /** {@link #fromBytes(byte[], int, int, Function)} for messages without a {@link Reply} (one in them is an error). */
    default Object fromBytes(byte[] bytes, int offset, int length) {
        return fromBytes(bytes, offset, length, address -> {
            throw new SerializationException("a Reply to " + address + " cannot be rebuilt here", null);
        });
    }
}
