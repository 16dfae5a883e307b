package dev.atoll.cluster;

import dev.atoll.actors.ActorRef;
import dev.atoll.actors.Reply;

/**
 * Turns messages into bytes for other nodes and back: {@link CborSerializer} (Jackson CBOR, records,
 * enums and sealed interfaces) by default; another format plugs in by implementing this. Java
 * serialization is never used. Implementations are thread-safe.
 *
 * <p>References inside a message travel as references: an {@link ActorRef} field is written as the
 * {@link ActorAddress} {@link Refs#addressOf} gives (a local actor is exported) and read back as
 * {@link Refs#refFor} that address (the local actor itself on its own node, a remote reference
 * elsewhere); a {@link Reply} field (an ask across nodes) travels as the {@link ClusterReply#address()}
 * of the {@link ClusterReply} in it and is rebuilt by {@link Refs#replyFor}. The node passes itself as
 * the {@link Refs}. {@link AskFailure}, {@link ActorAddress} and the cluster's control messages (the
 * records of the package's {@code Control} interface: death watch, lookup, sharded entities) must
 * always be accepted.
 */
public interface Serializer {

    /**
     * The bytes of {@code message}, naming its type, so {@link #fromBytes} can rebuild it; each reference
     * in it is written as {@code refs.addressOf} it.
     *
     * @throws SerializationException when the message's type cannot be sent (not registered, not
     *                                serializable, a reference or reply that cannot travel): the
     *                                caller's error, reported where it sent it
     */
    byte[] toBytes(Object message, Refs refs);

    /**
     * The message {@code length} bytes from {@code offset} hold; each reference in it is {@code refs}
     * applied to the address it travelled as.
     *
     * @throws SerializationException when the bytes are malformed or name a type this side does not accept
     */
    Object fromBytes(byte[] bytes, int offset, int length, Refs refs);

    /** {@link #toBytes(Object, Refs)} for a message without references (one in it is an error). */
    default byte[] toBytes(Object message) {
        return toBytes(message, Refs.NONE);
    }

    /** {@link #fromBytes(byte[], int, int, Refs)} for a message without references (one in it is an error). */
    default Object fromBytes(byte[] bytes, int offset, int length) {
        return fromBytes(bytes, offset, length, Refs.NONE);
    }

    /**
     * What a node lends its serializer so references inside messages travel as references
     * ({@link ClusterNode} is one). Called on the thread that serializes or deserializes.
     */
    interface Refs {
        /** For messages that carry no reference: every method throws {@link SerializationException}. */
        Refs NONE = new Refs() {
            @Override
            public ActorAddress addressOf(ActorRef<?> ref) {
                throw new SerializationException("a reference (" + ref + ") travels only through a ClusterNode", null);
            }

            @Override
            public ActorRef<?> refFor(ActorAddress address) {
                throw new SerializationException("a reference to " + address + " is rebuilt only by a ClusterNode", null);
            }

            @Override
            public Reply<?> replyFor(ActorAddress address) {
                throw new SerializationException("a Reply to " + address + " is rebuilt only by a ClusterNode", null);
            }
        };

        /**
         * The address {@code ref} travels as: a remote reference's own address, a local actor's export.
         *
         * @throws SerializationException when {@code ref} cannot travel
         */
        ActorAddress addressOf(ActorRef<?> ref);

        /** The reference an address from another node stands for: the local actor when it is on this node. */
        ActorRef<?> refFor(ActorAddress address);

        /** The reply an address from another node stands for: answers go back to that address. */
        Reply<?> replyFor(ActorAddress address);
    }
}
