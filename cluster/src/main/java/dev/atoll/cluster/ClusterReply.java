package dev.atoll.cluster;

import dev.atoll.actors.ForeignReply;

/**
 * The reply of an ask across nodes: inside the request message it travels as its {@link #address()}
 * (the asking node, its incarnation, the shard that waits, and the ask's id); on the answering node
 * {@link #send} and {@link #fail} carry the answer back as a message to that address. An answer that
 * arrives after the deadline, or for an asker that is gone, is a dead letter.
 *
 * @param <T> the type of the answer
 */
public final class ClusterReply<T> implements ForeignReply<T> {
    private final ClusterNode node;
    private final ActorAddress address;

    ClusterReply(ClusterNode node, ActorAddress address) {
        this.node = node;
        this.address = address;
    }

    /** Where the answer goes: its id is the negated ask id. */
    public ActorAddress address() {
        return address;
    }

    @Override
    public void send(T value) {
        node.refFor(address).tell(value);
    }

    @Override
    public void fail(Throwable failure) {
        node.refFor(address).tell(new AskFailure(failure.getClass().getName(), String.valueOf(failure.getMessage())));
    }

    @Override
    public String toString() {
        return "ClusterReply[" + address + "]";
    }
}
