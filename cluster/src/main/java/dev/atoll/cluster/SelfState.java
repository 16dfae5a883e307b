package dev.atoll.cluster;

/**
 * Where this node stands in the cluster. Only {@link #UP} is a member that may send: in every other
 * state it cannot know whether the others still count it in, so it acts as if they do not.
 */
public enum SelfState {
    /** Not joined yet (or joining). */
    JOINING,
    /** Joined: its znode exists in its live session. */
    UP,
    /** The connection to ZooKeeper was lost; the session may still be alive. Not a member until it is back. */
    SUSPENDED,
    /** The session expired: everyone else sees this incarnation gone. It rejoins with a new incarnation when it can. */
    DOWN,
    /** Left on purpose ({@link MembershipProvider#close()}). */
    LEFT
}
