package dev.atoll.benchmarks;

import dev.atoll.benchmarks.ActorsBench.Peer;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pekko typed actors ({@code Behaviors}) for {@link ActorsBench}. Actors are spawned from outside
 * with {@code systemActorOf}; they are left running between runs (typed actors stop only from
 * inside), which costs memory but no CPU.
 */
final class PekkoTypedPeer implements Peer {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ActorSystem<Void> system;
    private final AtomicLong names = new AtomicLong();

    PekkoTypedPeer(int threads, int throughput) {
        this.system = ActorSystem.create(Behaviors.empty(), "typed" + threads, PekkoConfig.of(threads, throughput));
    }

    @Override
    public String name() {
        return "pekko-typed";
    }

    private <T> ActorRef<T> spawn(Behavior<T> behavior) {
        return spawn(behavior, Props.empty());
    }

    private <T> ActorRef<T> spawn(Behavior<T> behavior, Props props) {
        return system.systemActorOf(behavior, "a" + names.incrementAndGet(), props);
    }

    record Ball(ActorRef<Ball> from, long remaining, CountDownLatch done) { }

    static Behavior<Ball> player() {
        return Behaviors.setup(ctx -> Behaviors.receive(Ball.class).onMessage(Ball.class, ball -> {
            if (ball.remaining() == 0) {
                ball.done().countDown();
            } else {
                ball.from().tell(new Ball(ctx.getSelf(), ball.remaining() - 1, ball.done()));
            }
            return Behaviors.same();
        }).build());
    }

    @Override
    public double pingPong(int pairs, long messages) throws InterruptedException {
        return pingPong(pairs, messages, Props.empty(), Props.empty());
    }

    @Override
    public double pingPongOneSidePerThread(int pairs, long messages) throws InterruptedException {
        return pingPong(pairs, messages, DispatcherSelector.fromConfig(PekkoConfig.SIDE_0),
                DispatcherSelector.fromConfig(PekkoConfig.SIDE_1));
    }

    private double pingPong(int pairs, long messages, Props leftProps, Props rightProps) throws InterruptedException {
        long perPair = messages / pairs;
        CountDownLatch done = new CountDownLatch(pairs);
        List<ActorRef<Ball>> left = ActorsBench.listOf(pairs, i -> spawn(player(), leftProps));
        List<ActorRef<Ball>> right = ActorsBench.listOf(pairs, i -> spawn(player(), rightProps));
        long start = System.nanoTime();
        for (int i = 0; i < pairs; i++) {
            right.get(i).tell(new Ball(left.get(i), perPair, done));
        }
        Peer.await(done);
        return ActorsBench.perSecond(perPair * pairs, start, System.nanoTime());
    }

    sealed interface CounterMsg { }
    record Increment() implements CounterMsg { }
    record Retrieve(ActorRef<ProducerMsg> replyTo) implements CounterMsg { }
    sealed interface ProducerMsg { }
    record Produce(ActorRef<CounterMsg> counter, long n, CompletableFuture<Long> done) implements ProducerMsg { }
    record Total(long count) implements ProducerMsg { }

    static Behavior<CounterMsg> counter() {
        long[] count = new long[1];
        return Behaviors.receive(CounterMsg.class)
                .onMessage(Increment.class, m -> {
                    count[0]++;
                    return Behaviors.same();
                })
                .onMessage(Retrieve.class, m -> {
                    m.replyTo().tell(new Total(count[0]));
                    return Behaviors.same();
                })
                .build();
    }

    static Behavior<ProducerMsg> producer() {
        return Behaviors.setup(ctx -> {
            @SuppressWarnings("unchecked")
            CompletableFuture<Long>[] done = new CompletableFuture[1];
            return Behaviors.receive(ProducerMsg.class)
                    .onMessage(Produce.class, p -> {
                        done[0] = p.done();
                        Increment increment = new Increment();
                        for (long i = 0; i < p.n(); i++) {
                            p.counter().tell(increment);
                        }
                        p.counter().tell(new Retrieve(ctx.getSelf()));
                        return Behaviors.same();
                    })
                    .onMessage(Total.class, t -> {
                        done[0].complete(t.count());
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    @Override
    public double count(long n) {
        ActorRef<CounterMsg> counter = spawn(counter());
        ActorRef<ProducerMsg> producer = spawn(producer());
        CompletableFuture<Long> done = new CompletableFuture<>();
        long start = System.nanoTime();
        producer.tell(new Produce(counter, n, done));
        long counted = done.orTimeout(5, TimeUnit.MINUTES).join();
        long end = System.nanoTime();
        Peer.check(counted == n, "counted " + counted + " of " + n);
        return ActorsBench.perSecond(n, start, end);
    }

    sealed interface RingMsg { }
    record Next(ActorRef<RingMsg> next) implements RingMsg { }
    record Token(long remaining, CountDownLatch done) implements RingMsg { }

    static Behavior<RingMsg> ringNode() {
        @SuppressWarnings("unchecked")
        ActorRef<RingMsg>[] next = new ActorRef[1];
        return Behaviors.receive(RingMsg.class)
                .onMessage(Next.class, n -> {
                    next[0] = n.next();
                    return Behaviors.same();
                })
                .onMessage(Token.class, t -> {
                    if (t.remaining() == 0) {
                        t.done().countDown();
                    } else {
                        next[0].tell(new Token(t.remaining() - 1, t.done()));
                    }
                    return Behaviors.same();
                })
                .build();
    }

    @Override
    public double threadRing(int actors, long hops) throws InterruptedException {
        List<ActorRef<RingMsg>> ring = ActorsBench.listOf(actors, i -> spawn(Behaviors.setup(ctx -> ringNode())));
        for (int i = 0; i < actors; i++) {
            ring.get(i).tell(new Next(ring.get((i + 1) % actors)));
        }
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        ring.getFirst().tell(new Token(hops, done));
        Peer.await(done);
        return ActorsBench.perSecond(hops, start, System.nanoTime());
    }

    record Work(double seed) { }

    static Behavior<Work> worker(long expected, CountDownLatch done) {
        return Behaviors.setup(ctx -> {
            long[] seen = new long[1];
            double[] sink = new double[1];
            return Behaviors.receive(Work.class).onMessage(Work.class, work -> {
                sink[0] += ActorsBench.compute(work.seed());
                if (++seen[0] == expected) {
                    done.countDown();
                    if (sink[0] == 42) {
                        System.out.print("");   // keeps the work alive
                    }
                }
                return Behaviors.same();
            }).build();
        });
    }

    @Override
    public double fjThroughput(int actors, long perActor) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(actors);
        List<ActorRef<Work>> workers = ActorsBench.listOf(actors, i -> spawn(worker(perActor, done)));
        Work work = new Work(37.2);
        long start = System.nanoTime();
        for (long m = 0; m < perActor; m++) {
            for (ActorRef<Work> w : workers) {
                w.tell(work);
            }
        }
        Peer.await(done);
        return ActorsBench.perSecond(perActor * actors, start, System.nanoTime());
    }

    record Ping(ActorRef<Boolean> replyTo) { }
    sealed interface AskerMsg { }
    record StartAsking(ActorRef<Ping> target, int samples, Histogram histogram, CountDownLatch done) implements AskerMsg { }
    record Answered(long sentNanos) implements AskerMsg { }

    static Behavior<Ping> responder() {
        return Behaviors.receive(Ping.class).onMessage(Ping.class, p -> {
            p.replyTo().tell(Boolean.TRUE);
            return Behaviors.same();
        }).build();
    }

    /** Asks with {@code ActorContext.ask} (a response adapter, no temporary actor) and records each round trip. */
    static Behavior<AskerMsg> asker() {
        return Behaviors.setup(ctx -> {
            StartAsking[] run = new StartAsking[1];
            int[] remaining = new int[1];
            Runnable ask = () -> {
                long sent = System.nanoTime();
                ctx.ask(Boolean.class, run[0].target(), TIMEOUT, Ping::new, (answer, failure) -> new Answered(sent));
            };
            return Behaviors.receive(AskerMsg.class)
                    .onMessage(StartAsking.class, s -> {
                        run[0] = s;
                        remaining[0] = s.samples();
                        ask.run();
                        return Behaviors.same();
                    })
                    .onMessage(Answered.class, a -> {
                        run[0].histogram().recordValue(System.nanoTime() - a.sentNanos());
                        if (--remaining[0] == 0) {
                            run[0].done().countDown();
                        } else {
                            ask.run();
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    @Override
    public Histogram askFromActor(int samples) throws InterruptedException {
        ActorRef<Ping> responder = spawn(responder());
        ActorRef<AskerMsg> asker = spawn(asker());
        Histogram histogram = ActorsBench.newHistogram();
        CountDownLatch done = new CountDownLatch(1);
        asker.tell(new StartAsking(responder, samples, histogram, done));
        Peer.await(done);
        return histogram;
    }

    @Override
    public Histogram askFromOutside(int samples) {
        ActorRef<Ping> responder = spawn(responder());
        Histogram histogram = ActorsBench.newHistogram();
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            AskPattern.<Ping, Boolean>ask(responder, Ping::new, TIMEOUT, system.scheduler()).toCompletableFuture().join();
            histogram.recordValue(System.nanoTime() - start);
        }
        return histogram;
    }

    @Override
    public double bytesPerIdleActor(int n) throws InterruptedException {
        @SuppressWarnings("unchecked")
        ActorRef<Ping>[] refs = new ActorRef[n];
        long before = ActorsBench.usedHeapAfterGc();
        Behavior<Ping> idle = responder();
        for (int i = 0; i < n; i++) {
            refs[i] = spawn(idle);
        }
        for (ActorRef<Ping> ref : List.of(refs[0], refs[n / 2], refs[n - 1])) {
            AskPattern.<Ping, Boolean>ask(ref, Ping::new, TIMEOUT, system.scheduler()).toCompletableFuture().join();
        }
        Thread.sleep(500);   // the rest of the starts settle
        long after = ActorsBench.usedHeapAfterGc();
        double perActor = (after - before) / (double) n;
        if (refs[n - 1] == null) {
            throw new IllegalStateException("keeps the references reachable until the reading");
        }
        return perActor;
    }

    @Override
    public void close() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
