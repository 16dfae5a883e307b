package dev.atoll.shards;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;
import dev.atoll.config.IdleStrategyKind;
import dev.atoll.drivers.Driver;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.Operation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One token travels between three shards, in bursts of messages, with nothing else to wake anyone: no
 * timers, no outside submissions after the first, no I/O. Each holder keeps the token for a random
 * while (spinning, so the others fall idle and, past their poll window, asleep), then sends a burst to
 * a random other shard whose last message carries the token on. A lost wake-up leaves the token in
 * the queue of a sleeping shard for good: progress stops, and the test says so. Every message must
 * arrive exactly once and in order per (sender, receiver) pair.
 *
 * <p>{@link #aDroppedWakeStopsTheToken} drops one wake on purpose and checks that this test sees it.
 */
class LostWakeTest {
    private static final int SHARDS = 3;
    private static final long HOPS = 1_500;
    /** With the token stuck this long, a wake was lost (a hop takes well under a millisecond). */
    private static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(3);

    static Stream<Arguments> strategies() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (IdleStrategyKind idle : IdleStrategyKind.values()) {
            cases.add(Arguments.of(DriverKind.IO_URING, idle));
        }
        for (DriverKind driver : new DriverKind[] {DriverKind.EPOLL, DriverKind.KQUEUE}) {
            cases.add(Arguments.of(driver, IdleStrategyKind.SLEEP));
            cases.add(Arguments.of(driver, IdleStrategyKind.ADAPTIVE));
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("strategies")
    void theTokenNeverStopsAndEveryMessageArrivesOnceInOrder(DriverKind driver, IdleStrategyKind idle) {
        TestRuntimes.assumeAvailable(driver);
        try (ShardRuntime r = ShardRuntime.start(config(driver, idle), shardId -> Drivers.open(config(driver, idle).settings()))) {
            Relay relay = new Relay(r);
            long stuck = relay.runUntil(HOPS);
            assertEquals(-1, stuck, "the token stopped after " + stuck + " hops: a wake-up was lost ("
                    + r.stats() + ")");
            assertEquals(0, relay.errors.get(), "messages out of order or duplicated");
            if (idle == IdleStrategyKind.SLEEP) {
                assertTrue(r.stats().stream().mapToLong(ShardStats.Snapshot::wakesSent).sum() > 0,
                        "the run never caught a shard asleep: " + r.stats());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aDroppedWakeStopsTheToken(DriverKind driver) {
        TestRuntimes.assumeAvailable(driver);
        AtollConfig config = config(driver, IdleStrategyKind.SLEEP);
        AtomicInteger wakesToDrop = new AtomicInteger(1);
        try (ShardRuntime r = ShardRuntime.start(config,
                shardId -> new DroppingDriver(Drivers.open(config.settings()), wakesToDrop))) {
            Relay relay = new Relay(r);
            long stuck = relay.runUntil(HOPS * 100);
            assertEquals(0, wakesToDrop.get(), "no wake was dropped");
            assertTrue(stuck >= 0, "the token kept going although a wake was dropped");
        }
    }

    private static AtollConfig config(DriverKind driver, IdleStrategyKind idle) {
        return AtollConfig.parse("atoll.shards { count = " + SHARDS + ", pin = false, idle.strategy = "
                + idle.name().toLowerCase().replace('_', '-') + " }\natoll.driver = " + driver.displayName(), "test");
    }

    /** The token's journey. Fields of row {@code s} of the arrays belong to shard {@code s}. */
    private static final class Relay {
        private final ShardRuntime runtime;
        private final AtomicLong hops = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        /** sent[from][to], expected[to][from]: per-pair sequence numbers, each row owned by one shard. */
        private final long[][] sent = new long[SHARDS][SHARDS];
        private final long[][] expected = new long[SHARDS][SHARDS];
        private final SplittableRandom[] random = new SplittableRandom[SHARDS];
        private final MeshReceiver<Message>[] receivers;
        private volatile boolean stop;

        @SuppressWarnings("unchecked")
        Relay(ShardRuntime runtime) {
            this.runtime = runtime;
            this.receivers = new MeshReceiver[SHARDS];
            for (int s = 0; s < SHARDS; s++) {
                random[s] = new SplittableRandom(s);
                int shard = s;
                receivers[s] = message -> arrived(shard, message);
            }
        }

        /** Runs until {@code target} hops; returns -1, or the hops done when the token stopped moving. */
        long runUntil(long target) {
            assertTrue(runtime.execute(0, () -> passOn(0)));
            long seen = -1;
            long since = System.nanoTime();
            while (hops.get() < target) {
                long now = hops.get();
                if (now != seen) {
                    seen = now;
                    since = System.nanoTime();
                } else if (System.nanoTime() - since > STUCK_NANOS) {
                    stop = true;
                    return now;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));   // reads a counter; never touches a shard
            }
            stop = true;
            return -1;
        }

        private void arrived(int here, Message message) {
            if (expected[here][message.from] != message.sequence) {
                errors.incrementAndGet();
            }
            expected[here][message.from] = message.sequence + 1;
            if (message.token && !stop) {
                hops.incrementAndGet();
                // Hold the token a while, up to 200 us: long enough for the others to pass their poll
                // window and sleep, in some hops, and short in others.
                long until = System.nanoTime() + random[here].nextLong(0, 200_000);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                passOn(here);
            }
        }

        private void passOn(int here) {
            Shard shard = Shard.current();
            int to = (here + 1 + random[here].nextInt(SHARDS - 1)) % SHARDS;
            int burst = random[here].nextInt(1, 9);
            for (int i = 1; i <= burst; i++) {
                assertTrue(shard.send(to, receivers[to], new Message(here, sent[here][to]++, i == burst)));
            }
        }
    }

    private record Message(int from, long sequence, boolean token) { }

    /** A driver that drops the next {@code wakesToDrop} shard-to-shard wakes, to show a lost wake is caught. */
    private record DroppingDriver(Driver delegate, AtomicInteger wakesToDrop) implements Driver {
        @Override
        public void wake(Driver target) {
            if (wakesToDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return;
            }
            delegate.wake(((DroppingDriver) target).delegate);
        }

        @Override
        public DriverKind kind() {
            return delegate.kind();
        }

        @Override
        public void submit(Operation operation) {
            delegate.submit(operation);
        }

        @Override
        public void cancel(Operation operation) {
            delegate.cancel(operation);
        }

        @Override
        public void detach(int fd) {
            delegate.detach(fd);
        }

        @Override
        public int poll(long timeoutNanos) {
            return delegate.poll(timeoutNanos);
        }

        @Override
        public void wake() {
            delegate.wake();
        }

        @Override
        public long syscalls() {
            return delegate.syscalls();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
