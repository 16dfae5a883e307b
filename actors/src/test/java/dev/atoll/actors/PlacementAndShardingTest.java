package dev.atoll.actors;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static dev.atoll.actors.TestSystems.ASK_TIMEOUT;
import static dev.atoll.actors.TestSystems.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementAndShardingTest {

    /** Keeps a map per shard; answers where it runs. */
    static final class Store extends Actor<Store.Msg> {
        sealed interface Msg {}
        record Put(String key, String value) implements Msg {}
        record Get(String key, Reply<String> reply) implements Msg {}
        record Size(Reply<String> reply) implements Msg {}
        record Hello() implements Msg {}

        private final java.util.HashMap<String, String> data = new java.util.HashMap<>();
        private int hellos;

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Put(String key, String value) -> data.put(key, value);
                case Get(String key, Reply<String> reply) -> reply.send(data.get(key) + "@" + context().shard().id());
                case Size(Reply<String> reply) -> reply.send(data.size() + " keys, " + hellos + " hellos");
                case Hello() -> hellos++;
            }
        }
    }

    @Test
    void aShardedActorHasOneInstancePerShardAndRoutesByKey() {
        try (ActorSystem system = TestSystems.start(2)) {
            Sharded<Store.Msg> store = system.spawnSharded(Store::new);
            assertEquals(List.of(0, 1), store.instances().stream().map(ActorRef::shardId).toList());
            Set<Integer> owners = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                String key = "key-" + i;
                store.tell(key, new Store.Put(key, "v" + i));
                owners.add(store.shardFor(key));
            }
            assertEquals(Set.of(0, 1), owners, "keys spread over both shards");
            for (int i = 0; i < 100; i++) {
                String key = "key-" + i;
                assertEquals("v" + i + "@" + store.shardFor(key),
                        await(store.ask(key, (Reply<String> r) -> new Store.Get(key, r), ASK_TIMEOUT)));
            }
            store.broadcast(new Store.Hello());
            int total = 0;
            for (ActorRef<Store.Msg> instance : store.instances()) {
                String size = await(instance.ask(Store.Size::new, ASK_TIMEOUT));
                assertTrue(size.endsWith(" keys, 1 hellos"), size);
                total += Integer.parseInt(size.substring(0, size.indexOf(' ')));
            }
            assertEquals(100, total);
            assertEquals(ActorSystem.shardFor("key-7", 2), store.shardFor("key-7"), "the same stable hash everywhere");
        }
    }

    @Test
    void placementPicksTheShard() throws InterruptedException {
        try (ActorSystem system = TestSystems.start(2)) {
            assertEquals(1, system.spawn(Store::new, Placement.shard(1)).shardId());
            assertThrows(IllegalArgumentException.class, () -> system.spawn(Store::new, Placement.shard(2)));
            int first = system.spawn(Store::new, Placement.roundRobin()).shardId();
            assertEquals(1 - first, system.spawn(Store::new, Placement.roundRobin()).shardId());
            int here = TestSystems.onShard(system, 1, () -> system.spawn(Store::new, Placement.here()).shardId());
            assertEquals(1, here);

            // Shard 0 held busy with 1,000 messages queued for an actor there: least-loaded picks shard 1.
            var busy = system.spawn(Store::new, Placement.shard(0));
            await(busy.ask(Store.Size::new, ASK_TIMEOUT));
            CountDownLatch release = new CountDownLatch(1);
            system.runtime().execute(0, () -> {
                for (int i = 0; i < 1_000; i++) {
                    busy.tell(new Store.Hello());
                }
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            TestSystems.eventually("shard 0 published its queue", () -> system.stats().getFirst().queuedMessages() == 1_000);
            assertEquals(1, system.spawn(Store::new, Placement.leastLoaded()).shardId());
            release.countDown();
        }
    }

    @Test
    void namesAreUniqueAndFoundAsynchronously() {
        try (ActorSystem system = TestSystems.start(2)) {
            var first = system.spawn(Store::new, Placement.shard(0), SpawnOptions.named("store"));
            Optional<ActorRef<Store.Msg>> found = await(system.lookup("store"));
            assertSame(first, found.orElseThrow());
            assertEquals("store", first.name());

            var second = system.spawn(Store::new, Placement.shard(1), SpawnOptions.named("store"));
            await(system.terminationOf(second));
            assertSame(first, await(system.<Store.Msg>lookup("store")).orElseThrow());

            assertTrue(await(system.lookup("nobody")).isEmpty());
            system.stop(first);
            TestSystems.eventually("the name is released", () -> await(system.lookup("store")).isEmpty());
            var third = system.spawn(Store::new, Placement.shard(1), SpawnOptions.named("store"));
            TestSystems.eventually("the name is taken again", () -> await(system.<Store.Msg>lookup("store")).orElse(null) == third);
        }
    }
}
