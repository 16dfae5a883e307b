package dev.atoll.cluster;

import dev.atoll.actors.ActorRef;
import dev.atoll.actors.ActorSystem;
import dev.atoll.actors.ForeignRef;
import dev.atoll.actors.Reply;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One process's place in the cluster: its membership (joined when it starts), its listening port for
 * messages from other nodes, the actors it exports, and references to actors on other nodes.
 *
 * <pre>{@code
 * ClusterNode node = ClusterNode.start(system, ClusterSettings.from(config), CborSerializer.of(Msg.class));
 * ActorAddress address = node.export(counter);          // hand it to another node, e.g. inside a message
 * ActorRef<Msg> remote = otherNode.refFor(address);      // there
 * remote.tell(new Add(5));                               // serialized here, sent shard to shard
 * remote.tell(new Get(replyTo));                          // an ActorRef inside a message travels as a reference
 * }</pre>
 *
 * <p>Guarantees: messages from one local shard to one remote actor arrive in the order sent (one
 * connection per local shard and remote shard); at most once: a message queued when its connection
 * fails, sent to a node that is not a live member, or sent while this node is not a member itself
 * ({@link MembershipProvider#isMember()}), is a dead letter, counted by {@link #deadLetters()}.
 * A receiving node refuses, and closes, connections from node incarnations that have left, so a
 * node that lost its membership and has not noticed yet cannot deliver anything (no zombie).
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    private final ActorSystem system;
    private final ClusterSettings settings;
    private final Serializer serializer;
    private final MembershipProvider membership;
    private final TcpServer server;
    private final Runnable unsubscribe;
    /** Exported actors by id, until they stop; ids are never reused. Read by every shard, written by export: concurrent. */
    private final ConcurrentHashMap<Long, ActorRef<?>> exported = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ActorRef<?>, Long> exportIds = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    /** One reference object per remote address. */
    private final ConcurrentHashMap<ActorAddress, RemoteRef<?>> remoteRefs = new ConcurrentHashMap<>();
    /** Per local shard, its open links by (incarnation, remote shard); element {@code i} confined to shard {@code i}. */
    private final List<Map<LinkKey, OutboundLink>> links;
    /** Per local shard, the connections other nodes opened to it; element {@code i} confined to shard {@code i}. */
    private final List<Set<InboundConnection>> inbound;
    /** Asks waiting for an answer, by id: a CompletableFuture, or a Promise of the shard the answer is addressed to. */
    private final ConcurrentHashMap<Long, Object> asks = new ConcurrentHashMap<>();
    private final AtomicLong nextAsk = new AtomicLong(1);
    private final LongAdder deadLetters = new LongAdder();
    private final LongAdder badFrames = new LongAdder();
    private final LongAdder received = new LongAdder();
    /** The live members by incarnation, replaced whole by the membership thread: volatile. */
    private volatile Map<Long, Member> live = Map.of();
    /** The live members ordered by incarnation (what sharding routes over), replaced with {@link #live}. */
    private volatile List<Member> view = List.of();
    /** Remote references some local actor watches (see {@link RemoteRef#ended}). */
    private final Set<RemoteRef<?>> watched = ConcurrentHashMap.newKeySet();
    /** Per local shard, its exported actors other nodes watch, with the watching nodes' control addresses; confined to shard {@code i}. */
    private final List<Map<ActorAddress, Set<ActorAddress>>> watchedHere;
    /** The cluster-sharded types started on this node, by name. */
    private final ConcurrentHashMap<String, ClusterSharded<?>> shardedTypes = new ConcurrentHashMap<>();
    /** Entity messages that arrived before their type started here; guarded by itself. */
    private final List<EarlyEntity> early = new ArrayList<>();
    /** How the serializer writes and rebuilds the references inside messages: as this node's addresses and refs. */
    private final Serializer.Refs refs = new Serializer.Refs() {
        @Override
        public ActorAddress addressOf(ActorRef<?> ref) {
            if (!(ref instanceof RemoteRef<?>) && ref.system() != system) {
                throw new SerializationException(ref + " is an actor of another actor system than " + ClusterNode.this
                        + "'s: it cannot travel from here", null);
            }
            return export(ref);
        }

        @Override
        public ActorRef<?> refFor(ActorAddress address) {
            return ClusterNode.this.refFor(address);
        }

        @Override
        public Reply<?> replyFor(ActorAddress address) {
            return new ClusterReply<>(ClusterNode.this, address);
        }
    };
    /** The highest incarnation any member list showed (see {@link #isGone}); written by the membership thread. */
    private volatile long maxSeenIncarnation = -1;

    private record LinkKey(long incarnation, int shard) {
    }

    private ClusterNode(ActorSystem system, ClusterSettings settings, Serializer serializer, MembershipProvider membership) {
        this.system = system;
        this.settings = settings;
        this.serializer = serializer;
        this.membership = membership;
        this.links = new ArrayList<>();
        this.inbound = new ArrayList<>();
        this.watchedHere = new ArrayList<>();
        for (int i = 0; i < system.shardCount(); i++) {
            links.add(new HashMap<>());
            inbound.add(new HashSet<>());
            watchedHere.add(new HashMap<>());
        }
        // Loads and initializes the serializer's classes here, not in a shard's first tell (Jackson's take
        // hundreds of milliseconds the first time, which would stall that shard).
        byte[] warmUp = serializer.toBytes(new AskFailure("warm-up", ""), refs);
        serializer.fromBytes(warmUp, 0, warmUp.length, refs);
        InetSocketAddress bind = new InetSocketAddress(settings.advertiseHost(), settings.port());
        this.server = join(TcpServer.start(system.runtime(), bind, c -> InboundConnection.accept(this, c)),
                "listening on " + bind);
        try {
            join(membership.join(settings.advertiseHost(), server.port(), system.shardCount()), "joining the cluster");
        } catch (ClusterException e) {
            server.close();   // no listener left behind by a node that never joined
            throw e;
        }
        this.unsubscribe = membership.subscribe(new MembershipListener() {
            @Override
            public void onMembers(List<Member> members) {
                Map<Long, Member> now = new HashMap<>();
                members.forEach(m -> now.put(m.incarnation(), m));
                live = Map.copyOf(now);
                List<Member> ordered = new ArrayList<>(members);
                ordered.sort(java.util.Comparator.comparingLong(Member::incarnation));
                view = List.copyOf(ordered);
                maxSeenIncarnation = Math.max(maxSeenIncarnation,
                        members.stream().mapToLong(Member::incarnation).max().orElse(-1));
                closeLinks(false);
                for (RemoteRef<?> ref : watched) {
                    system.runtime().execute(ref.controlShard(), ref::endedIfGone);
                }
                viewChanged();
            }

            @Override
            public void onSelf(SelfState state, Member self) {
                if (state != SelfState.UP) {
                    closeLinks(true);
                }
                if (state == SelfState.DOWN) {
                    // Cut off: the watched nodes have dropped this incarnation's watches; none will say Died.
                    for (RemoteRef<?> ref : watched) {
                        system.runtime().execute(ref.controlShard(), ref::ended);
                    }
                }
                viewChanged();
            }
        });
    }

    /**
     * Starts this process's node: the membership {@code settings} describe ({@link ZooKeeperMembership}),
     * a listener on {@code advertise-host:port}, then joins. Blocks until joined; fails with a
     * {@link ClusterException} (ZooKeeper unreachable, port taken) otherwise.
     */
    public static ClusterNode start(ActorSystem system, ClusterSettings settings, Serializer serializer) {
        MembershipProvider membership = ZooKeeperMembership.start(settings);
        try {
            return start(system, settings, serializer, membership);
        } catch (RuntimeException e) {
            membership.close();
            throw e;
        }
    }

    /** {@link #start(ActorSystem, ClusterSettings, Serializer)} with another membership store. */
    public static ClusterNode start(ActorSystem system, ClusterSettings settings, Serializer serializer,
                                    MembershipProvider membership) {
        return new ClusterNode(Objects.requireNonNull(system, "system"), Objects.requireNonNull(settings, "settings"),
                Objects.requireNonNull(serializer, "serializer"), Objects.requireNonNull(membership, "membership"));
    }

    private static <T> T join(CompletableFuture<T> future, String what) {
        try {
            return future.get(5, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof ClusterException ce ? ce : new ClusterException(what + " failed: " + cause, cause);
        } catch (Exception e) {
            throw new ClusterException(what + " failed: " + e, e);
        }
    }

    /**
     * Makes {@code local} reachable from other nodes; the same actor always gets the same address (of this
     * incarnation) while it lives. When it stops its address is forgotten: messages to it are dead letters
     * here. A reference inside a message is exported this way when the message is serialized.
     *
     * @throws IllegalArgumentException when {@code local} is a reference of another kind (not an actor of
     *                                  an actor system, nor a remote reference)
     */
    public ActorAddress export(ActorRef<?> local) {
        if (local instanceof RemoteRef<?> remote) {
            return remote.address();
        }
        if (local instanceof ForeignRef<?>) {
            throw new IllegalArgumentException(local + " cannot travel to other nodes: only local actors and remote references do");
        }
        Long id = exportIds.get(local);
        if (id == null) {
            long fresh = nextId.getAndIncrement();
            exported.put(fresh, local);   // before the id is known: a message to it may come back at once
            id = exportIds.putIfAbsent(local, fresh);
            if (id != null) {
                exported.remove(fresh);   // another thread exported it first
            } else {
                id = fresh;
                // Forgotten when it stops: no export outlives its actor (a reply-to ref per request would pile up).
                system.terminationOf(local).whenComplete((v, e) -> {
                    exported.remove(fresh);
                    exportIds.remove(local, fresh);
                });
            }
        }
        Member self = membership.self();
        return new ActorAddress(self.name(), self.incarnation(), local.shardId(), id);
    }

    /** A reference to the actor at {@code address}: the local actor itself if it is this node's. Any thread. */
    @SuppressWarnings("unchecked")
    public <M> ActorRef<M> refFor(ActorAddress address) {
        Member self = membership.self();
        if (self != null && self.name().equals(address.node()) && self.incarnation() == address.incarnation()) {
            ActorRef<?> local = exported.get(address.id());
            if (local != null) {
                return (ActorRef<M>) local;
            }
        }
        return remoteRefs.computeIfAbsent(address, a -> new RemoteRef<>(this, a)).cast();
    }

    /**
     * The members this node sends to (updated after {@link MembershipProvider#members()}, by its listener):
     * empty while this node is not a member itself.
     */
    public List<Member> members() {
        if (!membership.isMember()) {
            return List.of();
        }
        List<Member> now = new ArrayList<>(live.values());
        now.sort(java.util.Comparator.comparingLong(Member::incarnation));
        return now;
    }

    /**
     * Finds the actor registered under {@code name} ({@link dev.atoll.actors.ActorContext#spawn} with a
     * name): in this node's system first, else on every other member (asked at once, the first that has
     * it wins). Completes with empty when none has it, or none answered within {@code timeout}. Any thread.
     */
    public <M> CompletableFuture<Optional<ActorRef<M>>> lookup(String name, Duration timeout) {
        Objects.requireNonNull(name, "name");
        return system.<M>lookup(name).thenCompose(local -> {
            if (local.isPresent()) {
                return CompletableFuture.completedFuture(local);
            }
            Member self = membership.self();
            List<CompletableFuture<Control.Found>> answers = new ArrayList<>();
            for (Member member : members()) {
                if (self != null && member.incarnation() != self.incarnation()) {
                    ActorRef<Control> control = refFor(new ActorAddress(member.name(), member.incarnation(), 0, 0));
                    answers.add(control.<Control.Found>ask(reply -> new Control.Lookup(name, reply), timeout)
                            .exceptionally(failure -> new Control.Found(null)));
                }
            }
            CompletableFuture<Optional<ActorRef<M>>> found = new CompletableFuture<>();
            for (CompletableFuture<Control.Found> answer : answers) {
                answer.thenAccept(f -> {
                    if (f.address() != null) {
                        found.complete(Optional.of(refFor(f.address())));
                    }
                });
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                    .whenComplete((v, e) -> found.complete(Optional.empty()));
            return found;
        });
    }

    /** Messages to other nodes that were not sent, and messages from them for no exported actor, so far. */
    public long deadLetters() {
        return deadLetters.sum();
    }

    /** Connections closed for breaking the protocol so far. */
    public long badFrames() {
        return badFrames.sum();
    }

    /** Connections other nodes have open to this one now (asked of every shard: not on a shard). */
    public int inboundConnections() {
        return sumOverShards(shard -> inbound.get(shard).size());
    }

    /** Connections this node has open to other nodes' shards now, handshake done (asked of every shard: not on a shard). */
    public int outboundConnections() {
        return sumOverShards(shard -> (int) links.get(shard).values().stream().filter(OutboundLink::isOpen).count());
    }

    /** Watches other nodes hold on this node's actors now, counted per (actor, watching node); not on a shard. */
    public int remoteWatchers() {
        return sumOverShards(shard -> watchedHere.get(shard).values().stream().mapToInt(Set::size).sum());
    }

    /** The sum of {@code count} run on each shard, for state confined to the shards. */
    private int sumOverShards(java.util.function.IntUnaryOperator count) {
        int sum = 0;
        for (int i = 0; i < system.shardCount(); i++) {
            int shard = i;
            sum += system.runtime().submit(i, () -> count.applyAsInt(shard)).join();
        }
        return sum;
    }

    /** Messages received from other nodes and delivered to exported actors so far. */
    public long received() {
        return received.sum();
    }

    /** The membership this node uses. */
    public MembershipProvider membership() {
        return membership;
    }

    /** The actor system the node serves. */
    public ActorSystem system() {
        return system;
    }

    /** The port other nodes connect to. */
    public int port() {
        return server.port();
    }

    /** Leaves the cluster, stops listening and closes the links (what waits on them becomes dead letters). Not on a shard. */
    @Override
    public void close() {
        unsubscribe.run();
        membership.close();
        try {
            server.close().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("the cluster listener did not close: {}", e.toString());
        }
        closeLinks(true);
    }

    // ---- for the transport's classes ----

    ClusterSettings settings() {
        return settings;
    }

    Serializer serializer() {
        return serializer;
    }

    /** What the serializer writes and rebuilds references with on this node. */
    Serializer.Refs refs() {
        return refs;
    }

    long selfIncarnation() {
        Member self = membership.self();
        return self == null ? -1 : self.incarnation();
    }

    ActorRef<?> exported(long id) {
        return exported.get(id);
    }

    /** The live members ordered by incarnation as this node last saw them; empty while it is not a member. */
    List<Member> view() {
        return membership.isMember() ? view : List.of();
    }

    /** Whether {@code address}'s node incarnation is in the member list (whatever this node's own state). */
    boolean isLive(ActorAddress address) {
        Member member = live.get(address.incarnation());
        return member != null && member.name().equals(address.node());
    }

    /** This node's control endpoint (actor id 0) on its shard {@code shard}. */
    ActorAddress controlAddress(int shard) {
        Member self = membership.self();
        return new ActorAddress(self.name(), self.incarnation(), shard, 0);
    }

    void watching(RemoteRef<?> ref, boolean watched) {
        if (watched) {
            this.watched.add(ref);
        } else {
            this.watched.remove(ref);
        }
    }

    void addShardedType(ClusterSharded<?> sharded) {
        List<EarlyEntity> due = new ArrayList<>();
        synchronized (early) {
            if (shardedTypes.putIfAbsent(sharded.type(), sharded) != null) {
                throw new IllegalStateException("the sharded type " + sharded.type() + " is started already on " + this);
            }
            early.removeIf(e -> e.entity().type().equals(sharded.type()) && due.add(e));
        }
        for (EarlyEntity e : due) {
            sharded.arrived(e.shard(), e.entity());
        }
    }

    /** An entity message for a type this node has not started yet: kept until it starts (another node may route here first). */
    private record EarlyEntity(int shard, Control.Entity entity) {
    }

    private void viewChanged() {
        for (ClusterSharded<?> sharded : shardedTypes.values()) {
            sharded.viewChanged();
        }
    }

    /**
     * On shard {@code shard}: a control message from another node (a frame for actor id 0). Death watch
     * requests are kept per exported actor on its shard (the one they arrive on), and answered with one
     * {@code Died} to each watching node when the actor stops.
     */
    void control(int shard, Control message) {
        switch (message) {
            case Control.Watch(ActorAddress actor, ActorAddress watcher) -> {
                Map<ActorAddress, Set<ActorAddress>> here = watchedHere.get(shard);
                ActorRef<?> target = actor.incarnation() == selfIncarnation() ? exported(actor.id()) : null;
                if (target == null || isGone(watcher.incarnation())) {
                    refFor(watcher).tell(new Control.Died(actor));
                    return;
                }
                Set<ActorAddress> watchers = here.get(actor);
                if (watchers == null) {
                    watchers = new HashSet<>();
                    here.put(actor, watchers);
                    system.terminationOf(target).whenComplete((v, e) -> system.runtime().execute(shard, () -> {
                        Set<ActorAddress> told = here.remove(actor);
                        if (told != null) {
                            for (ActorAddress w : told) {
                                refFor(w).tell(new Control.Died(actor));
                            }
                        }
                    }));
                }
                watchers.add(watcher);
            }
            case Control.Unwatch(ActorAddress actor, ActorAddress watcher) -> {
                Set<ActorAddress> watchers = watchedHere.get(shard).get(actor);
                if (watchers != null) {
                    watchers.remove(watcher);
                }
            }
            case Control.Died(ActorAddress actor) -> {
                RemoteRef<?> ref = remoteRefs.get(actor);
                if (ref != null) {
                    ref.ended();
                }
            }
            case Control.Lookup(String name, dev.atoll.actors.Reply<Control.Found> reply) ->
                    system.lookup(name).whenComplete((found, e) -> reply.send(
                            new Control.Found(found == null ? null : found.map(this::export).orElse(null))));
            case Control.Entity entity -> {
                ClusterSharded<?> sharded = shardedTypes.get(entity.type());
                if (sharded == null) {
                    synchronized (early) {   // rare: only before the type starts here
                        sharded = shardedTypes.get(entity.type());
                        if (sharded == null) {
                            if (early.size() < settings.outboundQueue()) {
                                early.add(new EarlyEntity(shard, entity));
                            } else {
                                deadLetter();
                            }
                            return;
                        }
                    }
                }
                sharded.arrived(shard, entity);
            }
            case Control.Found found -> deadLetter();   // answers come as ask answers, never to id 0
        }
    }

    /** The live member {@code address} is on, or null when it is gone or this node is not a member. */
    Member liveMember(ActorAddress address) {
        if (!membership.isMember()) {
            return null;
        }
        Member member = live.get(address.incarnation());
        return member != null && member.name().equals(address.node()) ? member : null;
    }

    /** On {@code shard}: its open link to {@code target}'s shard {@code targetShard}, or a new one. */
    OutboundLink linkFor(int shard, Member target, int targetShard) {
        Map<LinkKey, OutboundLink> mine = links.get(shard);
        LinkKey key = new LinkKey(target.incarnation(), targetShard);
        OutboundLink link = mine.get(key);
        if (link == null || link.isClosed()) {
            link = new OutboundLink(this, Shard.current(), target, targetShard);
            mine.put(key, link);
            link.open();
        }
        return link;
    }

    void linkClosed(int shard, OutboundLink link) {
        links.get(shard).remove(new LinkKey(link.target().incarnation(), link.targetShard()), link);
    }

    long startAsk(Object answer) {
        long id = nextAsk.getAndIncrement();
        asks.put(id, answer);
        return id;
    }

    void endAsk(long id) {
        asks.remove(id);
    }

    /** An answer arrived for ask {@code id} (on the shard it is addressed to); late ones are dead letters. */
    @SuppressWarnings("unchecked")
    void answer(long id, Object message) {
        Object waiting = asks.remove(id);
        Throwable failure = message instanceof AskFailure f ? new AskFailedException(f) : null;
        switch (waiting) {
            case null -> deadLetter();
            case CompletableFuture<?> future -> {
                if (failure != null) {
                    future.completeExceptionally(failure);
                } else {
                    ((CompletableFuture<Object>) future).complete(message);
                }
            }
            case Promise<?> promise -> {
                if (failure != null) {
                    promise.fail(failure);
                } else {
                    ((Promise<Object>) promise).complete(message);
                }
            }
            default -> throw new IllegalStateException("not an answer: " + waiting);
        }
    }

    void deadLetter() {
        deadLetters.increment();
    }

    void deadLetters(int n) {
        deadLetters.add(n);
    }

    void badFrame() {
        badFrames.increment();
    }

    void countReceived() {
        received.increment();
    }

    /** On every shard: closes the links to members no longer live (all of them when {@code all}). */
    private void closeLinks(boolean all) {
        ShardRuntime runtime = system.runtime();
        for (int i = 0; i < links.size(); i++) {
            int shard = i;
            Map<LinkKey, OutboundLink> mine = links.get(i);
            Set<InboundConnection> theirs = inbound.get(i);
            runtime.execute(i, () -> {
                Map<Long, Member> now = live;
                for (OutboundLink link : List.copyOf(mine.values())) {
                    if (all || !now.containsKey(link.target().incarnation())) {
                        link.close();
                    }
                }
                for (InboundConnection connection : List.copyOf(theirs)) {
                    if (isGone(connection.senderIncarnation())) {
                        connection.close("its node " + connection.senderIncarnation() + " is no longer a member");
                    }
                }
                for (Set<ActorAddress> watchers : watchedHere.get(shard).values()) {
                    watchers.removeIf(w -> isGone(w.incarnation()));   // a node that left watches nothing
                }
            });
        }
    }

    /**
     * Whether the node incarnation {@code incarnation} has left: it is not live, and a later one was
     * seen (a member list holds every live node that joined before the newest in it, so an older
     * incarnation missing from it is gone; a newer one may just not be seen yet).
     */
    boolean isGone(long incarnation) {
        return incarnation <= maxSeenIncarnation && !live.containsKey(incarnation);
    }

    /** On shard {@code shard}: a connection from another node arrived there, or ended. */
    void inboundOpened(int shard, InboundConnection connection) {
        inbound.get(shard).add(connection);
    }

    void inboundClosed(int shard, InboundConnection connection) {
        inbound.get(shard).remove(connection);
    }

    @Override
    public String toString() {
        return "ClusterNode[" + membership.self() + ", " + membership.state() + "]";
    }
}
