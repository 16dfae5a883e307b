package dev.atoll.shards;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.atoll.shards.TestRuntimes.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shard and two outside threads send bursts to random shards with random pauses, so targets
 * are caught asleep, falling asleep and busy. Every message must arrive exactly once and in order
 * per (sender, receiver) pair; a lost wake-up shows as a message that never arrives.
 * Runs for {@code atolltest.stress.seconds} (3 by default).
 */
class WakeProtocolStressTest {
    private static final int SHARDS = 3;
    private static final int OUTSIDE = 2;
    private static final int SENDERS = SHARDS + OUTSIDE;

    /** next[receiver][sender]: the sequence number expected next; row r is written by shard r only. */
    private final long[][] next = new long[SHARDS][SENDERS];
    /** errors[receiver]: messages that arrived out of order or twice; written by shard r only. */
    private final long[] errors = new long[SHARDS];
    /** sent[sender][receiver]: row s written by sender s only (a shard or an outside thread). */
    private final long[][] sent = new long[SENDERS][SHARDS];
    private volatile boolean stop;

    private Runnable message(int sender, int receiver, long seq) {
        return () -> {
            if (next[receiver][sender] != seq) {
                errors[receiver]++;
            }
            next[receiver][sender] = seq + 1;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void everyMessageArrivesExactlyOnceInOrderPerPair(DriverKind driver) throws Exception {
        try (ShardRuntime r = TestRuntimes.start(SHARDS, "atoll.timers.tick = 100us", driver)) {
            for (int s = 0; s < SHARDS; s++) {
                int sender = s;
                r.execute(sender, new Pump(sender, new SplittableRandom(sender)));
            }
            List<Thread> outside = new ArrayList<>();
            for (int o = 0; o < OUTSIDE; o++) {
                int sender = SHARDS + o;
                outside.add(Thread.ofPlatform().name("outside-sender-" + o).start(() -> outsideSender(r, sender)));
            }
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(TestRuntimes.stressSeconds()));
            stop = true;
            for (Thread t : outside) {
                assertTrue(t.join(Duration.ofSeconds(TestRuntimes.WAIT_SECONDS)));
            }
            // Pumps stop at their next turn; read each shard's sent row on its own thread.
            long[][] sentByShards = new long[SHARDS][];
            for (int s = 0; s < SHARDS; s++) {
                int shard = s;
                sentByShards[s] = await(r.submit(shard, () -> sent[shard].clone()));
            }
            long[][] expected = new long[SHARDS][SENDERS];
            long total = 0;
            for (int receiver = 0; receiver < SHARDS; receiver++) {
                for (int sender = 0; sender < SENDERS; sender++) {
                    expected[receiver][sender] = sender < SHARDS ? sentByShards[sender][receiver] : sent[sender][receiver];
                    total += expected[receiver][sender];
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestRuntimes.WAIT_SECONDS);
            long[][] received;
            do {
                received = new long[SHARDS][];
                for (int s = 0; s < SHARDS; s++) {
                    int shard = s;
                    received[s] = await(r.submit(shard, () -> next[shard].clone()));
                }
            } while (!java.util.Arrays.deepEquals(received, expected) && System.nanoTime() < deadline);
            for (int receiver = 0; receiver < SHARDS; receiver++) {
                assertArrayEquals(expected[receiver], received[receiver], "messages received by shard " + receiver);
                int shard = receiver;
                assertEquals(0L, await(r.submit(shard, () -> errors[shard])), "out of order or duplicated");
            }
            long wakes = r.stats().stream().mapToLong(ShardStats.Snapshot::wakesSent).sum();
            long avoided = r.stats().stream().mapToLong(ShardStats.Snapshot::wakesAvoided).sum();
            assertTrue(total > 10_000, "only " + total + " messages in the stress run");
            assertTrue(wakes > 0 && avoided > 0, "the run should both wake sleepers and skip busy ones: "
                    + wakes + " wakes, " + avoided + " avoided");
            System.out.printf("wake stress on %s: %d messages, %d wakes sent, %d avoided, %d sleeps%n", driver.displayName(), total, wakes, avoided,
                    r.stats().stream().mapToLong(ShardStats.Snapshot::sleeps).sum());
        }
    }

    /** A shard's sender: a burst to random targets, then either straight on or a random pause. */
    private final class Pump implements Runnable {
        private final int sender;
        private final SplittableRandom random;
        private final long[] seq = new long[SHARDS];

        Pump(int sender, SplittableRandom random) {
            this.sender = sender;
            this.random = random;
        }

        @Override
        public void run() {
            if (stop) {
                return;
            }
            Shard here = Shard.current();
            int burst = random.nextInt(1, 64);
            for (int i = 0; i < burst; i++) {
                int target = random.nextInt(SHARDS);
                if (target == sender) {
                    continue;
                }
                assertTrue(here.send(target, message(sender, target, seq[target])));
                seq[target]++;
                sent[sender][target]++;
            }
            switch (random.nextInt(4)) {
                case 0 -> here.execute(this);
                case 1 -> here.schedule(Duration.ofNanos(random.nextLong(1, 300_000)), this);
                default -> here.schedule(Duration.ofNanos(random.nextLong(1, 3_000_000)), this);
            }
        }
    }

    private void outsideSender(ShardRuntime r, int sender) {
        long[] seq = new long[SHARDS];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop) {
            int burst = random.nextInt(1, 32);
            for (int i = 0; i < burst; i++) {
                int target = random.nextInt(SHARDS);
                assertTrue(r.execute(target, message(sender, target, seq[target])));
                seq[target]++;
                sent[sender][target]++;
            }
            if (random.nextBoolean()) {
                LockSupport.parkNanos(random.nextLong(1, 2_000_000));   // vary the timing, not wait for an event
            }
        }
    }
}
