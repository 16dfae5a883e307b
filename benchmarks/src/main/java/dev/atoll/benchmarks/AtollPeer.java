package dev.atoll.benchmarks;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.ActorSystem;
import dev.atoll.actors.Placement;
import dev.atoll.actors.Reply;
import dev.atoll.config.AtollConfig;
import dev.atoll.benchmarks.ActorsBench.Peer;
import dev.atoll.shards.Metric;
import dev.atoll.shards.ShardMetrics;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Atoll's side of {@link ActorsBench}: actors on 1 or 2 shards. */
final class AtollPeer implements Peer {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ActorSystem system;
    private final int shards;
    /** The CPU time of all shards in the last ping-pong, per message. */
    private double lastCpuNanosPerMessage;
    private double lastMeshShare;
    private double lastMessagesPerBatch;

    AtollPeer(AtollConfig config) {
        this.system = ActorSystem.start(config);
        this.shards = system.shardCount();
    }

    @Override
    public String name() {
        return "atoll";
    }

    int throughput() {
        return system.settings().throughput();
    }

    String driver() {
        return system.runtime().driverKind().displayName();
    }

    boolean pinned() {
        return system.runtime().settings().shards().pin();
    }

    String idle() {
        return system.runtime().settings().shards().idle().toString();
    }

    /** The machine's cache-line round trip between the two shards' CPUs now: see {@link CoreToCore}. */
    double coreToCoreNanos() {
        return CoreToCore.roundTripNanos(system.runtime(), Duration.ofMillis(100));
    }

    record Ball(ActorRef<Ball> from, long remaining, CountDownLatch done) { }

    static final class Player extends Actor<Ball> {
        @Override
        protected void receive(Ball ball) {
            if (ball.remaining() == 0) {
                ball.done().countDown();
            } else {
                ball.from().tell(new Ball(self(), ball.remaining() - 1, ball.done()));
            }
        }
    }

    @Override
    public double pingPong(int pairs, long messages) throws InterruptedException {
        long perPair = messages / pairs;
        CountDownLatch done = new CountDownLatch(pairs);
        List<ActorRef<Ball>> left = ActorsBench.listOf(pairs, i -> system.spawn(Player::new, Placement.shard(0)));
        List<ActorRef<Ball>> right = ActorsBench.listOf(pairs, i -> system.spawn(Player::new, Placement.shard(shards - 1)));
        long cpuBefore = shardsCpuNanos();
        long meshBefore = counterSum(MESH_IN);
        long batchesBefore = counterSum(BATCHES_OUT);
        long start = System.nanoTime();
        for (int i = 0; i < pairs; i++) {
            right.get(i).tell(new Ball(left.get(i), perPair, done));
        }
        Peer.await(done);
        long end = System.nanoTime();
        lastCpuNanosPerMessage = (shardsCpuNanos() - cpuBefore) / (double) (perPair * pairs);
        long meshIn = counterSum(MESH_IN) - meshBefore;
        long batches = counterSum(BATCHES_OUT) - batchesBefore;
        lastMeshShare = meshIn / (double) (perPair * pairs);
        lastMessagesPerBatch = batches == 0 ? 0 : meshIn / (double) batches;
        stopAll(left);
        stopAll(right);
        return ActorsBench.perSecond(perPair * pairs, start, end);
    }

    /** Atoll's two-shard ping-pong already places every pair's sides on two shards. */
    @Override
    public double pingPongOneSidePerThread(int pairs, long messages) throws InterruptedException {
        return pingPong(pairs, messages);
    }

    /** CPU per message of the last {@link #pingPong}: steadier than its rate on a shared machine. */
    double lastCpuNanosPerMessage() {
        return lastCpuNanosPerMessage;
    }

    /** The share of the last {@link #pingPong}'s messages that went between shards (over the mesh). */
    double lastMeshShare() {
        return lastMeshShare;
    }

    /**
     * Messages per batch published between the shards in the last {@link #pingPong} (0 on one shard): the
     * hop's cost per message falls as batches grow, so it says which regime a run fell into.
     */
    double lastMessagesPerBatch() {
        return lastMessagesPerBatch;
    }

    private static final String MESH_IN = "atoll_shard_mesh_messages_in";
    private static final String BATCHES_OUT = "atoll_shard_mesh_batches_out";

    /** A shard counter summed over the shards. */
    private long counterSum(String name) {
        Metric counter = ShardMetrics.of(system.runtime()).stream()
                .filter(m -> m.name().equals(name)).findFirst().orElseThrow();
        long sum = 0;
        for (int shard = 0; shard < shards; shard++) {
            sum += counter.value().read(shard);
        }
        return sum;
    }

    private long shardsCpuNanos() {
        long sum = 0;
        for (int shard = 0; shard < shards; shard++) {
            sum += ShardThreadCounters.cpuNanos(system.runtime(), shard);
        }
        return sum;
    }

    record Increment() { }
    record Retrieve(ActorRef<Object> replyTo) { }
    record Total(long count) { }
    record Produce(ActorRef<Object> counter, long n, CompletableFuture<Long> done) { }

    static final class Counter extends Actor<Object> {
        private long count;

        @Override
        protected void receive(Object message) {
            if (message instanceof Increment) {
                count++;
            } else if (message instanceof Retrieve(ActorRef<Object> replyTo)) {
                replyTo.tell(new Total(count));
            }
        }
    }

    static final class Producer extends Actor<Object> {
        private CompletableFuture<Long> done;

        @Override
        protected void receive(Object message) {
            if (message instanceof Produce(ActorRef<Object> counter, long n, CompletableFuture<Long> finished)) {
                done = finished;
                Increment increment = new Increment();
                for (long i = 0; i < n; i++) {
                    counter.tell(increment);
                }
                counter.tell(new Retrieve(self()));
            } else if (message instanceof Total(long count)) {
                done.complete(count);
            }
        }
    }

    @Override
    public double count(long n) {
        ActorRef<Object> counter = system.spawn(Counter::new, Placement.shard(0));
        ActorRef<Object> producer = system.spawn(Producer::new, Placement.shard(0));
        CompletableFuture<Long> done = new CompletableFuture<>();
        long start = System.nanoTime();
        producer.tell(new Produce(counter, n, done));
        long counted = done.orTimeout(5, TimeUnit.MINUTES).join();
        long end = System.nanoTime();
        Peer.check(counted == n, "counted " + counted + " of " + n);
        stopAll(List.of(counter, producer));
        return ActorsBench.perSecond(n, start, end);
    }

    record Next(ActorRef<Object> next) { }
    record Token(long remaining, CountDownLatch done) { }

    static final class RingNode extends Actor<Object> {
        private ActorRef<Object> next;

        @Override
        protected void receive(Object message) {
            if (message instanceof Next(ActorRef<Object> n)) {
                next = n;
            } else if (message instanceof Token(long remaining, CountDownLatch done)) {
                if (remaining == 0) {
                    done.countDown();
                } else {
                    next.tell(new Token(remaining - 1, done));
                }
            }
        }
    }

    @Override
    public double threadRing(int actors, long hops) throws InterruptedException {
        List<ActorRef<Object>> ring = ActorsBench.listOf(actors, i -> system.spawn(RingNode::new, Placement.roundRobin()));
        for (int i = 0; i < actors; i++) {
            ring.get(i).tell(new Next(ring.get((i + 1) % actors)));
        }
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        ring.getFirst().tell(new Token(hops, done));
        Peer.await(done);
        long end = System.nanoTime();
        stopAll(ring);
        return ActorsBench.perSecond(hops, start, end);
    }

    record Work(double seed) { }

    static final class Worker extends Actor<Work> {
        private final long expected;
        private final CountDownLatch done;
        private long seen;
        private double sink;

        Worker(long expected, CountDownLatch done) {
            this.expected = expected;
            this.done = done;
        }

        @Override
        protected void receive(Work work) {
            sink += ActorsBench.compute(work.seed());
            if (++seen == expected) {
                done.countDown();
                if (sink == 42) {
                    System.out.print("");   // keeps the work alive
                }
            }
        }
    }

    @Override
    public double fjThroughput(int actors, long perActor) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(actors);
        List<ActorRef<Work>> workers = ActorsBench.listOf(actors,
                i -> system.spawn(() -> new Worker(perActor, done), Placement.roundRobin()));
        Work work = new Work(37.2);
        long start = System.nanoTime();
        for (long m = 0; m < perActor; m++) {
            for (ActorRef<Work> worker : workers) {
                worker.tell(work);
            }
        }
        Peer.await(done);
        long end = System.nanoTime();
        stopAll(workers);
        return ActorsBench.perSecond(perActor * actors, start, end);
    }

    record Ping(Reply<Boolean> reply) { }

    static final class Responder extends Actor<Ping> {
        @Override
        protected void receive(Ping ping) {
            ping.reply().send(Boolean.TRUE);
        }
    }

    sealed interface AskerMsg { }
    record StartAsking(ActorRef<Ping> target, int samples, Histogram histogram, CountDownLatch done) implements AskerMsg { }
    record Answered(long sentNanos) implements AskerMsg { }

    static final class Asker extends Actor<AskerMsg> {
        private StartAsking run;
        private int remaining;

        @Override
        protected void receive(AskerMsg message) {
            switch (message) {
                case StartAsking start -> {
                    run = start;
                    remaining = start.samples();
                    ask();
                }
                case Answered(long sentNanos) -> {
                    run.histogram().recordValue(System.nanoTime() - sentNanos);
                    if (--remaining == 0) {
                        run.done().countDown();
                    } else {
                        ask();
                    }
                }
            }
        }

        private void ask() {
            long sent = System.nanoTime();
            context().pipeToSelf(context().ask(run.target(), Ping::new, TIMEOUT), (ok, failure) -> new Answered(sent));
        }
    }

    @Override
    public Histogram askFromActor(int samples) throws InterruptedException {
        ActorRef<Ping> responder = system.spawn(Responder::new, Placement.shard(0));
        ActorRef<AskerMsg> asker = system.spawn(Asker::new, Placement.shard(0));
        Histogram histogram = ActorsBench.newHistogram();
        CountDownLatch done = new CountDownLatch(1);
        asker.tell(new StartAsking(responder, samples, histogram, done));
        Peer.await(done);
        stopAll(List.of(responder, asker));
        return histogram;
    }

    @Override
    public Histogram askFromOutside(int samples) {
        ActorRef<Ping> responder = system.spawn(Responder::new, Placement.shard(0));
        Histogram histogram = ActorsBench.newHistogram();
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            responder.ask(Ping::new, TIMEOUT).join();
            histogram.recordValue(System.nanoTime() - start);
        }
        system.stop(responder);
        return histogram;
    }

    static final class Idle extends Actor<Object> {
        @Override
        protected void receive(Object message) {
        }
    }

    @Override
    public double bytesPerIdleActor(int n) throws Exception {
        @SuppressWarnings("unchecked")
        ActorRef<Object>[] refs = new ActorRef[n];
        long before = ActorsBench.usedHeapAfterGc();
        system.runtime().submit(0, () -> {
            for (int i = 0; i < n; i++) {
                refs[i] = system.spawn(Idle::new, Placement.here());
            }
            return null;
        }).join();
        // Turns run in spawn order on one shard: once the last actor has handled a message, all have started.
        long handledBefore = system.stats().getFirst().handled();
        refs[n - 1].tell(Boolean.TRUE);
        while (system.stats().getFirst().handled() == handledBefore) {
            Thread.sleep(5);
        }
        long after = ActorsBench.usedHeapAfterGc();
        double perActor = (after - before) / (double) n;
        stopAll(Arrays.asList(refs));
        return perActor;
    }

    private void stopAll(List<? extends ActorRef<?>> actors) {
        for (ActorRef<?> actor : actors) {
            system.stop(actor);
        }
    }

    @Override
    public void close() {
        system.close();
    }
}
