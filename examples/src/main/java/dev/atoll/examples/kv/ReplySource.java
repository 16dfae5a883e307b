package dev.atoll.examples.kv;

/** Something that answers one or more of a connection's queued commands, possibly later. */
interface ReplySource {
    /** True once the replies can be written. */
    boolean ready();

    /** Appends the reply of entry {@code index} to {@code out}. */
    void writeReply(int index, ReplyWriter out);

    /** The bytes of entry {@code index}'s reply, once {@link #ready()}: what its connection holds for it. */
    int size(int index);

    /** The connection is done with one of its entries: written, or dropped as the connection closed. */
    void release();
}
