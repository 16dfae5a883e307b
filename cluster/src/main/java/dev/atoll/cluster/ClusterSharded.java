package dev.atoll.cluster;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.Placement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Sharded entities over the whole cluster: an entity key maps to a node by rendezvous hashing over the
 * live members (so when a node joins or leaves, only the keys it gains or held move), and to a shard of
 * that node by a stable hash. Start the same type, with the same name, on every node:
 *
 * <pre>{@code
 * ClusterSharded<Counter.Msg> counters = ClusterSharded.start(node, "counter", key -> new Counter(key));
 * counters.tell("user-42", new Add(1));          // any thread, any node
 * }</pre>
 *
 * <p>The hand-over protocol. Every node routes by its own member list (its <em>view</em>; ZooKeeper
 * tells every node of each change, so views agree once the notifications are in).
 * <ol>
 * <li>While this node has no view (not joined yet, or its ZooKeeper session is suspended or lost) the
 *     sender buffers the message ({@code atoll.cluster.outbound-queue} at most, beyond that a dead letter)
 *     and sends it when the view is back: the owner is being decided.</li>
 * <li>A message goes to the owner in the sender's view: straight to that shard's region actor on this
 *     node, or as a frame to that shard of the remote node (a shard-to-shard connection).</li>
 * <li>Each shard has one region actor that runs its entities. A region that receives a message for a
 *     key it does not own in its own view forwards it to the owner in its view (a message sent with an
 *     older or newer view than the region's finds its owner). After {@value #MAX_HOPS} forwards (views
 *     still disagreeing) the region parks the message and routes it again at the next view change, or
 *     after {@value #REROUTE_MILLIS} ms.</li>
 * <li>When its view changes, each region stops ({@link Entity#stopped}) the entities whose key it no
 *     longer owns, between two messages, so no message waits in a stopped entity; the next message for
 *     such a key starts it on demand at the new owner.</li>
 * </ol>
 * Nothing is ever re-sent, so nothing is duplicated; a message is lost only with a node that goes down
 * (what was queued to it or waits in it: at most once across a node loss). Order per (sender, key) is
 * kept while the owner does not change; a forward during a hand-over can be overtaken by a later
 * message sent straight to the new owner.
 *
 * @param <M> the type of the entities' messages (registered with the node's {@link Serializer})
 */
public final class ClusterSharded<M> {
    private static final Logger log = LoggerFactory.getLogger(ClusterSharded.class);
    /** Forwards a message may take between nodes whose views disagree before it is parked. */
    static final int MAX_HOPS = 4;
    /** How long a parked message waits at most before it is routed again. */
    static final long REROUTE_MILLIS = 100;

    /** Where a key lives: a member and one of its shards. */
    public record Owner(Member member, int shard) {
    }

    /** A message on its way to its entity inside this node: the message (or its bytes) and the forwards so far. */
    private record Routed(String key, Object message, byte[] bytes, int hops) {
    }

    /** Tells a region that the view changed (or that its parked messages are due). */
    private enum Reroute { VIEW_CHANGED, TIMER }

    private final ClusterNode node;
    private final String type;
    private final Function<String, ? extends Entity<M>> factory;
    private final List<ActorRef<Object>> regions = new ArrayList<>();
    /** Messages told while this node had no view, in order. */
    private final ConcurrentLinkedQueue<Routed> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder started = new LongAdder();
    private final LongAdder stopped = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicInteger live = new AtomicInteger();

    private ClusterSharded(ClusterNode node, String type, Function<String, ? extends Entity<M>> factory) {
        this.node = node;
        this.type = type;
        this.factory = factory;
    }

    /**
     * Starts the type {@code type} on this node: one region actor per shard, which start entities from
     * {@code factory} (given the key) on demand. Start it on every node before traffic for it arrives
     * (messages for it that arrive earlier wait for it, up to {@code atoll.cluster.outbound-queue}).
     */
    public static <M> ClusterSharded<M> start(ClusterNode node, String type, Function<String, ? extends Entity<M>> factory) {
        ClusterSharded<M> sharded = new ClusterSharded<>(Objects.requireNonNull(node, "node"),
                Objects.requireNonNull(type, "type"), Objects.requireNonNull(factory, "factory"));
        for (int shard = 0; shard < node.system().shardCount(); shard++) {
            sharded.regions.add(node.system().<Object>spawn(() -> sharded.new Region(), Placement.shard(shard)));
        }
        node.addShardedType(sharded);
        sharded.drain();
        return sharded;
    }

    /** The type's name. */
    public String type() {
        return type;
    }

    /**
     * The owner of {@code key} among {@code members}: the member with the highest rendezvous score of
     * (key, member name), and the shard the key's hash picks among its shards; null when there is none.
     */
    public static Owner ownerOf(String key, List<Member> members) {
        long keyHash = mix(key.hashCode() * 0x9E3779B97F4A7C15L);
        Member best = null;
        long bestScore = 0;
        for (Member m : members) {
            long score = mix(keyHash ^ (m.name().hashCode() * 0xC2B2AE3D27D4EB4FL));
            if (best == null || Long.compareUnsigned(score, bestScore) > 0
                    || (score == bestScore && m.name().compareTo(best.name()) < 0)) {
                best = m;
                bestScore = score;
            }
        }
        return best == null ? null : new Owner(best, (int) Long.remainderUnsigned(mix(keyHash + 1), best.shards()));
    }

    /** The owner of {@code key} in this node's current view, or null while it has none. */
    public Owner ownerOf(String key) {
        return ownerOf(key, node.view());
    }

    /** A 64-bit finalizer (SplitMix64's): stable across processes, unlike identity hashes. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Sends {@code message} to the entity {@code key}, wherever it lives; never blocks. The message is
     * serialized here (it may have to travel now or after a hand-over): a type that cannot travel is a
     * {@link SerializationException} here. Any thread.
     */
    public void tell(String key, M message) {
        Objects.requireNonNull(key, "key");
        byte[] bytes = node.serializer().toBytes(Objects.requireNonNull(message, "message"), node.refs());
        Routed routed = new Routed(key, message, bytes, 0);
        if (waitingCount.get() == 0 && !node.view().isEmpty()) {
            dispatch(routed, node.view());
            return;
        }
        if (waitingCount.incrementAndGet() > node.settings().outboundQueue()) {
            waitingCount.decrementAndGet();
            node.deadLetter();
            return;
        }
        waiting.add(routed);
        drain();
    }

    /** Sends what waited for a view, in order, once there is one (one drainer at a time). */
    private void drain() {
        while (!waiting.isEmpty() && !node.view().isEmpty() && draining.compareAndSet(false, true)) {
            try {
                for (Routed r; !node.view().isEmpty() && (r = waiting.poll()) != null; ) {
                    waitingCount.decrementAndGet();
                    dispatch(r, node.view());
                }
            } finally {
                draining.set(false);
            }
        }
    }

    /** Sends {@code routed} to its owner in {@code view} (not empty). */
    private void dispatch(Routed routed, List<Member> view) {
        Owner owner = ownerOf(routed.key(), view);
        if (owner.member().incarnation() == node.selfIncarnation()) {
            regions.get(owner.shard()).tell(routed);
        } else {
            ActorAddress region = new ActorAddress(owner.member().name(), owner.member().incarnation(), owner.shard(), 0);
            node.refFor(region).tell(new Control.Entity(type, routed.key(), routed.bytes(), routed.hops()));
        }
    }

    /** On shard {@code shard}: an entity message from another node arrived on its connection. */
    void arrived(int shard, Control.Entity entity) {
        regions.get(shard).tell(new Routed(entity.key(), null, entity.message(), entity.hops()));
    }

    /** The membership thread: the view changed; each region hands over what it no longer owns. */
    void viewChanged() {
        drain();
        for (ActorRef<Object> region : regions) {
            region.tell(Reroute.VIEW_CHANGED);
        }
    }

    /** Messages delivered to this node's entities so far. */
    public long delivered() {
        return delivered.sum();
    }

    /** Entities started on this node so far. */
    public long started() {
        return started.sum();
    }

    /** Entities stopped on this node so far because their key moved (or they failed). */
    public long stopped() {
        return stopped.sum();
    }

    /** Messages this node forwarded because the key was not its own in its view. */
    public long forwarded() {
        return forwarded.sum();
    }

    /** Entities that threw (each stopped). */
    public long failed() {
        return failed.sum();
    }

    /** Entities running on this node now. */
    public int entities() {
        return live.get();
    }

    /** Messages waiting at this sender for a view. */
    public int waiting() {
        return waitingCount.get();
    }

    /** One shard's region: runs the entities that shard owns, forwards and parks the rest. */
    private final class Region extends Actor<Object> {
        private final Map<String, Entity<M>> entities = new HashMap<>();
        private final ArrayDeque<Routed> parked = new ArrayDeque<>();

        @Override
        protected void receive(Object message) {
            switch (message) {
                case Routed routed -> route(routed);
                case Reroute why -> {
                    if (why == Reroute.VIEW_CHANGED) {
                        handOver();
                    }
                    int due = parked.size();
                    for (int i = 0; i < due; i++) {
                        Routed r = parked.poll();
                        route(new Routed(r.key(), r.message(), r.bytes(), 0));
                    }
                }
                default -> throw new IllegalStateException("not a region message: " + message);
            }
        }

        private void route(Routed routed) {
            List<Member> view = node.view();
            Owner owner = ownerOf(routed.key(), view);
            int here = context().shard().id();
            if (owner != null && owner.member().incarnation() == node.selfIncarnation() && owner.shard() == here) {
                deliver(routed);
            } else if (owner != null && routed.hops() < MAX_HOPS) {
                forwarded.increment();
                dispatch(new Routed(routed.key(), routed.message(), routed.bytes(), routed.hops() + 1), view);
            } else if (parked.size() >= node.settings().outboundQueue()) {
                node.deadLetter();
            } else {
                if (parked.isEmpty()) {
                    context().startSingleTimer(Reroute.TIMER, Reroute.TIMER, Duration.ofMillis(REROUTE_MILLIS));
                }
                parked.add(routed);
            }
        }

        @SuppressWarnings("unchecked")
        private void deliver(Routed routed) {
            Entity<M> entity = entities.get(routed.key());
            try {
                M message = routed.message() != null ? (M) routed.message()
                        : (M) node.serializer().fromBytes(routed.bytes(), 0, routed.bytes().length, node.refs());
                if (entity == null) {
                    entity = Objects.requireNonNull(factory.apply(routed.key()), "the entity factory returned null");
                    entities.put(routed.key(), entity);
                    started.increment();
                    live.incrementAndGet();
                }
                delivered.increment();
                entity.receive(message);
            } catch (Exception | LinkageError | AssertionError e) {
                log.warn("the entity {} of {} failed and stops: {}", routed.key(), type, e.toString());
                failed.increment();
                if (entity != null || entities.containsKey(routed.key())) {
                    stop(routed.key(), entities.remove(routed.key()));
                }
            }
        }

        /** Stops the entities whose key this shard no longer owns (kept while there is no view: nothing decided). */
        private void handOver() {
            List<Member> view = node.view();
            if (view.isEmpty()) {
                return;
            }
            int here = context().shard().id();
            long self = node.selfIncarnation();
            for (Iterator<Map.Entry<String, Entity<M>>> it = entities.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Entity<M>> e = it.next();
                Owner owner = ownerOf(e.getKey(), view);
                if (owner.member().incarnation() != self || owner.shard() != here) {
                    it.remove();
                    stop(e.getKey(), e.getValue());
                }
            }
        }

        private void stop(String key, Entity<M> entity) {
            if (entity == null) {
                return;
            }
            stopped.increment();
            live.decrementAndGet();
            try {
                entity.stopped();
            } catch (Exception | LinkageError | AssertionError e) {
                log.warn("stopped() of the entity {} of {} threw: {}", key, type, e.toString());
            }
        }
    }
}
