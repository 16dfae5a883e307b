package dev.atoll.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The store that keeps the member list and detects failed nodes (Atoll has no gossip and no failure
 * detector of its own): {@link ZooKeeperMembership} by default; another store (Consul, etcd, SQL)
 * plugs in by implementing this. Any thread.
 *
 * <p>The contract: a joined node gets a new, higher incarnation each time it joins; a node the store
 * considers gone disappears from every node's list; a node that lost its membership reports it in
 * {@link #state()} before it could learn of it from anyone else, and comes back only as a new incarnation.
 */
public interface MembershipProvider extends AutoCloseable {

    /**
     * Joins with {@code host}, {@code port} and {@code shards} under the configured node name; completes
     * with this node's member entry, or fails with a {@link ClusterException} saying why (store unreachable,...).
     */
    CompletableFuture<Member> join(String host, int port, int shards);

    /** The live members as last seen (this node included while it is up). */
    List<Member> members();

    /** This node's current incarnation, or null before it first joined. */
    Member self();

    /** This node's state. */
    SelfState state();

    /** True only while this node is {@link SelfState#UP}: what gates sending to other nodes. */
    default boolean isMember() {
        return state() == SelfState.UP;
    }

    /** Adds a listener, told at once of the current members and state; returns what removes it. */
    Runnable subscribe(MembershipListener listener);

    /** Leaves the cluster (others see this node gone at once) and releases the store's resources. Idempotent. */
    @Override
    void close();
}
