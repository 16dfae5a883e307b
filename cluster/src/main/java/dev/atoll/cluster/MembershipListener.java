package dev.atoll.cluster;

import java.util.List;

/**
 * Told of membership changes, on the provider's single event thread (one call at a time, in order).
 * Must not block for long. An exception is logged and changes nothing else.
 */
public interface MembershipListener {

    /** The live members (this node included while it is up), ordered by incarnation. */
    default void onMembers(List<Member> members) {
    }

    /**
     * This node's own state changed; {@code self} is its current incarnation (null before the first join).
     * {@link SelfState#UP} comes after the {@link #onMembers} of the member list read on (re)joining.
     */
    default void onSelf(SelfState state, Member self) {
    }
}
