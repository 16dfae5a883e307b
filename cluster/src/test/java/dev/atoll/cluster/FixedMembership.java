package dev.atoll.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A membership store the test controls: fixed members, a state it sets. */
final class FixedMembership implements MembershipProvider {
    private final String name;
    private final long incarnation;
    private final CopyOnWriteArrayList<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private volatile List<Member> others = List.of();
    private volatile Member self;
    private volatile SelfState state = SelfState.JOINING;

    FixedMembership(String name, long incarnation) {
        this.name = name;
        this.incarnation = incarnation;
    }

    @Override
    public CompletableFuture<Member> join(String host, int port, int shards) {
        self = new Member(name, host, port, shards, incarnation);
        state = SelfState.UP;
        return CompletableFuture.completedFuture(self);
    }

    void setOthers(List<Member> members) {
        others = members;
        listeners.forEach(l -> l.onMembers(members()));
    }

    void setState(SelfState next) {
        if (next == SelfState.UP) {   // as ZooKeeperMembership: the member list with self first, then UP
            List<Member> withSelf = othersAndSelf();
            listeners.forEach(l -> l.onMembers(withSelf));
        }
        state = next;
        listeners.forEach(l -> l.onSelf(next, self));
    }

    @Override
    public List<Member> members() {
        return state == SelfState.UP ? othersAndSelf() : List.of();
    }

    private List<Member> othersAndSelf() {
        return java.util.stream.Stream.concat(others.stream(), java.util.stream.Stream.of(self)).toList();
    }

    @Override
    public Member self() {
        return self;
    }

    @Override
    public SelfState state() {
        return state;
    }

    @Override
    public Runnable subscribe(MembershipListener listener) {
        listeners.add(listener);
        listener.onMembers(members());
        listener.onSelf(state, self);
        return () -> listeners.remove(listener);
    }

    @Override
    public void close() {
        state = SelfState.LEFT;
    }
}
