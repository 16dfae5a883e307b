package dev.atoll.micrometer;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorSettings;
import dev.atoll.actors.ActorSystem;
import dev.atoll.actors.Placement;
import dev.atoll.config.AtollConfig;
import dev.atoll.shards.ShardRuntime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binder registers every figure once per shard and its meters read the shards' live values. */
class AtollMeterBinderTest {
    private static final int SHARDS = 2;

    /** Does nothing with its messages: only the counters matter. */
    static final class Quiet extends Actor<String> {
        @Override
        protected void receive(String message) {
        }
    }

    @Test
    void everyFigureOfEveryShardReadsItsShard() throws Exception {
        AtollConfig config = AtollConfig.parse("atoll.shards.count = " + SHARDS, "AtollMeterBinderTest");
        try (ShardRuntime runtime = ShardRuntime.start(config);
             ActorSystem actors = ActorSystem.start(runtime, ActorSettings.defaults())) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new AtollMeterBinder(actors).bindTo(registry);

            actors.spawn(Quiet::new, Placement.shard(1)).tell("hello");
            for (int i = 0; i < 10; i++) {
                int n = i;
                runtime.submit(0, () -> n).get(10, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Gauge live = registry.get("atoll.actors.live").tag("shard", "1").gauge();
            while (live.value() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(1.0, live.value());
            assertEquals(0.0, registry.get("atoll.actors.live").tag("shard", "0").gauge().value());
            FunctionCounter submissions = registry.get("atoll.shard.submissions.in").tag("shard", "0").functionCounter();
            assertTrue(submissions.count() >= 10, "submissions " + submissions.count());
            assertTrue(registry.get("atoll.shard.loop.iterations").tag("shard", "1").functionCounter().count() > 0);

            int perShard = (int) registry.getMeters().stream().filter(m -> "0".equals(m.getId().getTag("shard"))).count();
            assertEquals(registry.getMeters().size(), perShard * SHARDS, "one meter per figure and shard");
            for (Meter meter : registry.getMeters()) {
                assertTrue(meter.getId().getName().startsWith("atoll."), meter.getId().getName());
                assertTrue(meter.getId().getDescription() != null && !meter.getId().getDescription().isBlank());
            }
        }
    }
}
