package dev.atoll.benchmarks;

import dev.atoll.benchmarks.ActorsBench.Peer;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** Pekko classic actors ({@code AbstractActor}) for {@link ActorsBench}. */
final class PekkoClassicPeer implements Peer {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ActorSystem system;

    PekkoClassicPeer(int threads, int throughput) {
        this.system = ActorSystem.create("classic" + threads, PekkoConfig.of(threads, throughput));
    }

    static String version() {
        return org.apache.pekko.Version.current();
    }

    @Override
    public String name() {
        return "pekko-classic";
    }

    record Ball(ActorRef from, long remaining, CountDownLatch done) { }

    static final class Player extends AbstractActor {
        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Ball.class, ball -> {
                if (ball.remaining() == 0) {
                    ball.done().countDown();
                } else {
                    ball.from().tell(new Ball(getSelf(), ball.remaining() - 1, ball.done()), getSelf());
                }
            }).build();
        }
    }

    @Override
    public double pingPong(int pairs, long messages) throws InterruptedException {
        Props props = Props.create(Player.class, Player::new);
        return pingPong(pairs, messages, props, props);
    }

    @Override
    public double pingPongOneSidePerThread(int pairs, long messages) throws InterruptedException {
        Props props = Props.create(Player.class, Player::new);
        return pingPong(pairs, messages, props.withDispatcher(PekkoConfig.SIDE_0), props.withDispatcher(PekkoConfig.SIDE_1));
    }

    private double pingPong(int pairs, long messages, Props leftProps, Props rightProps) throws InterruptedException {
        long perPair = messages / pairs;
        CountDownLatch done = new CountDownLatch(pairs);
        List<ActorRef> left = ActorsBench.listOf(pairs, i -> system.actorOf(leftProps));
        List<ActorRef> right = ActorsBench.listOf(pairs, i -> system.actorOf(rightProps));
        long start = System.nanoTime();
        for (int i = 0; i < pairs; i++) {
            right.get(i).tell(new Ball(left.get(i), perPair, done), ActorRef.noSender());
        }
        Peer.await(done);
        long end = System.nanoTime();
        stopAll(left);
        stopAll(right);
        return ActorsBench.perSecond(perPair * pairs, start, end);
    }

    /** A ball that says which thread sent it; only for {@link #hopsBetweenThreads}. */
    record TracedBall(ActorRef from, long remaining, CountDownLatch done, Thread sentOn) { }

    /** Asks a {@link TracingPlayer} for its count; the mailbox orders its last writes before the read. */
    record Collect(LongAdder between, CountDownLatch collected) { }

    /** A player that counts the balls it received on another thread than the one that sent them. */
    static final class TracingPlayer extends AbstractActor {
        private long between;

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(TracedBall.class, ball -> {
                Thread here = Thread.currentThread();
                if (ball.sentOn() != null && ball.sentOn() != here) {
                    between++;
                }
                if (ball.remaining() == 0) {
                    ball.done().countDown();
                } else {
                    ball.from().tell(new TracedBall(getSelf(), ball.remaining() - 1, ball.done(), here), getSelf());
                }
            }).match(Collect.class, c -> {
                c.between().add(between);
                c.collected().countDown();
            }).build();
        }
    }

    /**
     * The share of ping-pong messages handled on another thread than the one that sent them (Atoll's
     * two-shard case: 1 by construction), with the default dispatcher or one side per thread.
     */
    double hopsBetweenThreads(int pairs, long messages, boolean oneSidePerThread) throws InterruptedException {
        long perPair = messages / pairs;
        Props props = Props.create(TracingPlayer.class, TracingPlayer::new);
        Props leftProps = oneSidePerThread ? props.withDispatcher(PekkoConfig.SIDE_0) : props;
        Props rightProps = oneSidePerThread ? props.withDispatcher(PekkoConfig.SIDE_1) : props;
        CountDownLatch done = new CountDownLatch(pairs);
        List<ActorRef> left = ActorsBench.listOf(pairs, i -> system.actorOf(leftProps));
        List<ActorRef> right = ActorsBench.listOf(pairs, i -> system.actorOf(rightProps));
        for (int i = 0; i < pairs; i++) {
            right.get(i).tell(new TracedBall(left.get(i), perPair, done, null), ActorRef.noSender());
        }
        Peer.await(done);
        LongAdder between = new LongAdder();
        CountDownLatch collected = new CountDownLatch(2 * pairs);
        for (ActorRef player : left) {
            player.tell(new Collect(between, collected), ActorRef.noSender());
        }
        for (ActorRef player : right) {
            player.tell(new Collect(between, collected), ActorRef.noSender());
        }
        Peer.await(collected);
        stopAll(left);
        stopAll(right);
        return between.sum() / (double) (perPair * pairs);
    }

    record Increment() { }
    record Retrieve() { }
    record Produce(ActorRef counter, long n, CompletableFuture<Long> done) { }

    static final class Counter extends AbstractActor {
        private long count;

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(Increment.class, m -> count++)
                    .match(Retrieve.class, m -> getSender().tell(count, getSelf()))
                    .build();
        }
    }

    static final class Producer extends AbstractActor {
        private CompletableFuture<Long> done;

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(Produce.class, p -> {
                        done = p.done();
                        Increment increment = new Increment();
                        for (long i = 0; i < p.n(); i++) {
                            p.counter().tell(increment, getSelf());
                        }
                        p.counter().tell(new Retrieve(), getSelf());
                    })
                    .match(Long.class, total -> done.complete(total))
                    .build();
        }
    }

    @Override
    public double count(long n) {
        ActorRef counter = system.actorOf(Props.create(Counter.class, Counter::new));
        ActorRef producer = system.actorOf(Props.create(Producer.class, Producer::new));
        CompletableFuture<Long> done = new CompletableFuture<>();
        long start = System.nanoTime();
        producer.tell(new Produce(counter, n, done), ActorRef.noSender());
        long counted = done.orTimeout(5, TimeUnit.MINUTES).join();
        long end = System.nanoTime();
        Peer.check(counted == n, "counted " + counted + " of " + n);
        stopAll(List.of(counter, producer));
        return ActorsBench.perSecond(n, start, end);
    }

    record Next(ActorRef next) { }
    record Token(long remaining, CountDownLatch done) { }

    static final class RingNode extends AbstractActor {
        private ActorRef next;

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(Next.class, n -> next = n.next())
                    .match(Token.class, t -> {
                        if (t.remaining() == 0) {
                            t.done().countDown();
                        } else {
                            next.tell(new Token(t.remaining() - 1, t.done()), getSelf());
                        }
                    })
                    .build();
        }
    }

    @Override
    public double threadRing(int actors, long hops) throws InterruptedException {
        List<ActorRef> ring = ActorsBench.listOf(actors, i -> system.actorOf(Props.create(RingNode.class, RingNode::new)));
        for (int i = 0; i < actors; i++) {
            ring.get(i).tell(new Next(ring.get((i + 1) % actors)), ActorRef.noSender());
        }
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        ring.getFirst().tell(new Token(hops, done), ActorRef.noSender());
        Peer.await(done);
        long end = System.nanoTime();
        stopAll(ring);
        return ActorsBench.perSecond(hops, start, end);
    }

    record Work(double seed) { }

    static final class Worker extends AbstractActor {
        private final long expected;
        private final CountDownLatch done;
        private long seen;
        private double sink;

        Worker(long expected, CountDownLatch done) {
            this.expected = expected;
            this.done = done;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Work.class, work -> {
                sink += ActorsBench.compute(work.seed());
                if (++seen == expected) {
                    done.countDown();
                    if (sink == 42) {
                        System.out.print("");   // keeps the work alive
                    }
                }
            }).build();
        }
    }

    @Override
    public double fjThroughput(int actors, long perActor) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(actors);
        List<ActorRef> workers = ActorsBench.listOf(actors,
                i -> system.actorOf(Props.create(Worker.class, () -> new Worker(perActor, done))));
        Work work = new Work(37.2);
        long start = System.nanoTime();
        for (long m = 0; m < perActor; m++) {
            for (ActorRef worker : workers) {
                worker.tell(work, ActorRef.noSender());
            }
        }
        Peer.await(done);
        long end = System.nanoTime();
        stopAll(workers);
        return ActorsBench.perSecond(perActor * actors, start, end);
    }

    record Ping() { }
    record StartAsking(ActorRef target, int samples, Histogram histogram, CountDownLatch done) { }
    record Answered(long sentNanos) { }

    static final class Responder extends AbstractActor {
        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Ping.class, p -> getSender().tell(Boolean.TRUE, getSelf())).build();
        }
    }

    /** Asks with {@link Patterns#ask} (Pekko's way: a temporary actor per ask) and pipes the answer to itself. */
    static final class Asker extends AbstractActor {
        private StartAsking run;
        private int remaining;

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(StartAsking.class, s -> {
                        run = s;
                        remaining = s.samples();
                        ask();
                    })
                    .match(Answered.class, a -> {
                        run.histogram().recordValue(System.nanoTime() - a.sentNanos());
                        if (--remaining == 0) {
                            run.done().countDown();
                        } else {
                            ask();
                        }
                    })
                    .build();
        }

        private void ask() {
            long sent = System.nanoTime();
            Patterns.pipe(Patterns.ask(run.target(), new Ping(), TIMEOUT).thenApply(answer -> new Answered(sent)),
                    getContext().getDispatcher()).to(getSelf());
        }
    }

    @Override
    public Histogram askFromActor(int samples) throws InterruptedException {
        ActorRef responder = system.actorOf(Props.create(Responder.class, Responder::new));
        ActorRef asker = system.actorOf(Props.create(Asker.class, Asker::new));
        Histogram histogram = ActorsBench.newHistogram();
        CountDownLatch done = new CountDownLatch(1);
        asker.tell(new StartAsking(responder, samples, histogram, done), ActorRef.noSender());
        Peer.await(done);
        stopAll(List.of(responder, asker));
        return histogram;
    }

    @Override
    public Histogram askFromOutside(int samples) {
        ActorRef responder = system.actorOf(Props.create(Responder.class, Responder::new));
        Histogram histogram = ActorsBench.newHistogram();
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            Patterns.ask(responder, new Ping(), TIMEOUT).toCompletableFuture().join();
            histogram.recordValue(System.nanoTime() - start);
        }
        system.stop(responder);
        return histogram;
    }

    static final class Idle extends AbstractActor {
        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(m -> getSender().tell(m, getSelf())).build();
        }
    }

    @Override
    public double bytesPerIdleActor(int n) throws InterruptedException {
        ActorRef[] refs = new ActorRef[n];
        long before = ActorsBench.usedHeapAfterGc();
        Props props = Props.create(Idle.class, Idle::new);
        for (int i = 0; i < n; i++) {
            refs[i] = system.actorOf(props);
        }
        for (ActorRef ref : List.of(refs[0], refs[n / 2], refs[n - 1])) {
            Patterns.ask(ref, Boolean.TRUE, TIMEOUT).toCompletableFuture().join();
        }
        Thread.sleep(500);   // the rest of the starts settle
        long after = ActorsBench.usedHeapAfterGc();
        stopAll(List.of(refs));
        return (after - before) / (double) n;
    }

    private void stopAll(List<ActorRef> actors) {
        for (ActorRef actor : actors) {
            system.stop(actor);
        }
    }

    @Override
    public void close() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
