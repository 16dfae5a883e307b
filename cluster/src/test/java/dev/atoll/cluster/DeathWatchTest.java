package dev.atoll.cluster;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.Placement;
import dev.atoll.actors.Signal;
import dev.atoll.actors.Terminated;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Remote death watch between nodes in this JVM: an actor stopping, a node leaving cleanly, a session expiring. */
class DeathWatchTest {
    private TestCluster cluster;

    /** What a {@link Watcher} is told to do. */
    record Watch(ActorRef<?> target) {
    }

    record Unwatch(ActorRef<?> target) {
    }

    /** Watches what it is told to, and puts each Terminated where the test reads it. */
    static final class Watcher extends Actor<Object> {
        private final LinkedBlockingQueue<ActorRef<?>> terminated;

        Watcher(LinkedBlockingQueue<ActorRef<?>> terminated) {
            this.terminated = terminated;
        }

        @Override
        protected void receive(Object message) {
            switch (message) {
                case Watch(ActorRef<?> target) -> context().watch(target);
                case Unwatch(ActorRef<?> target) -> context().unwatch(target);
                default -> throw new IllegalArgumentException(String.valueOf(message));
            }
        }

        @Override
        protected void onSignal(Signal signal) {
            terminated.add(((Terminated) signal).actor());
        }
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster("/atoll/watch", CborSerializer.of(RemoteActorsTest.Msg.class));
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private static ActorRef<?> take(LinkedBlockingQueue<ActorRef<?>> queue) throws InterruptedException {
        ActorRef<?> ref = queue.poll(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS);
        if (ref == null) {
            fail("no Terminated within " + TestCluster.WAIT_SECONDS + " s");
        }
        return ref;
    }

    private static ActorRef<Object> watcher(ClusterNode node, int shard, LinkedBlockingQueue<ActorRef<?>> out) {
        return node.system().spawn(() -> new Watcher(out), Placement.shard(shard));
    }

    private static ActorRef<RemoteActorsTest.Msg> collector(ClusterNode node, int shard) {
        return node.system().spawn(() -> new RemoteActorsTest.Collector(new LinkedBlockingQueue<>()), Placement.shard(shard));
    }

    /** Waits until {@code node} has sent its watch requests (they are on their way before the target stops). */
    private static void awaitWatching(ClusterNode target, int count) throws InterruptedException {
        TestCluster.await(() -> target.remoteWatchers() == count, count + " remote watches registered on " + target);
    }

    @Test
    void aRemoteActorStoppingTellsEachWatcherOnceAndAnUnwatchedOneNothing() throws Exception {
        ClusterNode a = cluster.node("a");
        ClusterNode b = cluster.node("b");
        TestCluster.awaitMembers(2, a, b);
        ActorRef<RemoteActorsTest.Msg> target = collector(a, 1);
        ActorRef<RemoteActorsTest.Msg> remote = b.refFor(a.export(target));
        LinkedBlockingQueue<ActorRef<?>> first = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<ActorRef<?>> second = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<ActorRef<?>> unwatched = new LinkedBlockingQueue<>();
        ActorRef<Object> w1 = watcher(b, 0, first);
        ActorRef<Object> w2 = watcher(b, 1, second);
        ActorRef<Object> w3 = watcher(b, 1, unwatched);
        w1.tell(new Watch(remote));
        w2.tell(new Watch(remote));
        w3.tell(new Watch(remote));
        w3.tell(new Unwatch(remote));
        awaitWatching(a, 1);   // one request per watching node, whatever the number of watchers there

        a.system().stop(target);
        assertSame(remote, take(first));
        assertSame(remote, take(second));
        // Then the node leaves: no second Terminated for the same watch.
        cluster.leave(a);
        TestCluster.awaitMembers(1, b);
        LinkedBlockingQueue<ActorRef<?>> late = new LinkedBlockingQueue<>();
        ActorRef<Object> barrier = watcher(b, 1, late);
        barrier.tell(new Watch(remote));   // a watch of a gone node: told at once, after what was queued before
        assertSame(remote, take(late));
        assertNull(first.poll(200, TimeUnit.MILLISECONDS), "a second Terminated on shard 0");
        assertNull(second.poll(), "a second Terminated");
        assertNull(unwatched.poll(), "a Terminated after unwatch");
    }

    @Test
    void aNodeLeavingCleanlyTellsTheWatchersOfEachOfItsActorsOnce() throws Exception {
        ClusterNode a = cluster.node("a");
        ClusterNode b = cluster.node("b");
        TestCluster.awaitMembers(2, a, b);
        ActorRef<?> r0 = b.refFor(a.export(collector(a, 0)));
        ActorRef<?> r1 = b.refFor(a.export(collector(a, 1)));
        LinkedBlockingQueue<ActorRef<?>> seen = new LinkedBlockingQueue<>();
        ActorRef<Object> w = watcher(b, 0, seen);
        w.tell(new Watch(r0));
        w.tell(new Watch(r1));
        awaitWatching(a, 2);
        cluster.leave(a);
        ActorRef<?> one = take(seen);
        ActorRef<?> other = take(seen);
        assertEquals(java.util.Set.of(r0, r1), java.util.Set.of(one, other));
        assertNull(seen.poll(300, TimeUnit.MILLISECONDS), "one Terminated per watched actor");
    }

    @Test
    void aNodeWhoseSessionExpiresIsDeadForItsWatchers() throws Exception {
        ClusterNode a = cluster.node("a");
        ClusterNode b = cluster.node("b");
        TestCluster.awaitMembers(2, a, b);
        ActorRef<?> remote = b.refFor(a.export(collector(a, 1)));
        LinkedBlockingQueue<ActorRef<?>> seen = new LinkedBlockingQueue<>();
        watcher(b, 1, seen).tell(new Watch(remote));
        awaitWatching(a, 1);
        ZooKeeperMembershipTest.expireSession((ZooKeeperMembership) a.membership(), cluster.connectString());
        assertSame(remote, take(seen));
        // a comes back as a new incarnation: nothing more for the old one.
        TestCluster.await(() -> b.members().size() == 2, "a back");
        assertNull(seen.poll(300, TimeUnit.MILLISECONDS), "exactly one Terminated");
    }

    @Test
    void aNamedActorIsFoundOnAnyMember() throws Exception {
        ClusterNode a = cluster.node("a");
        ClusterNode b = cluster.node("b");
        ClusterNode c = cluster.node("c");
        TestCluster.awaitMembers(3, a, b, c);
        ActorRef<RemoteActorsTest.Msg> named = a.system().spawn(() -> new RemoteActorsTest.Collector(new LinkedBlockingQueue<>()),
                Placement.shard(1), dev.atoll.actors.SpawnOptions.named("orders"));
        Optional<ActorRef<RemoteActorsTest.Msg>> found = c.<RemoteActorsTest.Msg>lookup("orders", Duration.ofSeconds(5))
                .get(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(found.isPresent());
        assertEquals(a.export(named), ((RemoteRef<?>) found.get()).address());
        assertSame(named, a.lookup("orders", Duration.ofSeconds(5)).get(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS).orElseThrow());
        assertTrue(b.lookup("nobody", Duration.ofSeconds(5)).get(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS).isEmpty());
    }
}
