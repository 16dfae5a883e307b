package dev.atoll.examples;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.ActorStats;
import dev.atoll.actors.ActorSystem;
import dev.atoll.actors.Placement;
import dev.atoll.actors.Reply;
import dev.atoll.actors.Sharded;
import dev.atoll.actors.Signal;
import dev.atoll.actors.SpawnOptions;
import dev.atoll.actors.Supervision;
import dev.atoll.actors.Terminated;
import dev.atoll.config.IdleStrategyKind;


import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The actors demo: spawns a counter on another shard and asks it from outside, plays ping-pong
 * across shards, shows supervision restarting a worker and a watcher learning it stopped, runs a
 * sharded key-value store, and prints each shard's actor counters.
 *
 * <p>{@code ./atoll run actors [--shards N] [--driver D] [--config FILE] [-Dkey=value]}
 */
public final class ActorsDemo {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int PING_PONGS = 20_000;

    private ActorsDemo() {
    }

    /** The counter of the design sketch: state in a plain field, owned by one shard. */
    public static final class Counter extends Actor<Counter.Msg> {
        public sealed interface Msg {}
        public record Add(long n) implements Msg {}
        public record Get(Reply<Long> reply) implements Msg {}

        private long total;

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Add(long n) -> total += n;
                case Get(Reply<Long> reply) -> reply.send(total);
            }
        }
    }

    /** Sends a ball back and forth with a partner, one message in flight, and says when the rally is over. */
    public static final class Player extends Actor<Player.Ball> {
        public record Ball(ActorRef<Ball> from, int remaining, CompletableFuture<Long> done) {}

        @Override
        protected void receive(Ball ball) {
            if (ball.remaining() == 0) {
                ball.done().complete(System.nanoTime());
            } else {
                ball.from().tell(new Ball(self(), ball.remaining() - 1, ball.done()));
            }
        }
    }

    /** Parses numbers; fails on anything else. Supervision decides what a failure does. */
    public static final class Parser extends Actor<String> {
        private static int instances;
        private final int instance = ++instances;   // the demo's instances all run on one shard
        private long sum;

        @Override
        protected void preStart() {
            System.out.printf("  parser #%d started on shard %d%n", instance, context().shard().id());
        }

        @Override
        protected void receive(String text) {
            sum += Long.parseLong(text);             // "oops" throws: a failure, handled by supervision
            System.out.printf("  parser #%d: +%s, sum %d%n", instance, text, sum);
        }

        @Override
        protected void postStop() {
            System.out.printf("  parser #%d stopped%n", instance);
        }
    }

    /** Watches an actor and completes a future when it stops, through the Terminated signal. */
    public static final class Mourner extends Actor<ActorRef<?>> {
        private final CompletableFuture<String> told;

        public Mourner(CompletableFuture<String> told) {
            this.told = told;
        }

        @Override
        protected void receive(ActorRef<?> target) {
            context().watch(target);
        }

        @Override
        protected void onSignal(Signal signal) {
            if (signal instanceof Terminated(ActorRef<?> actor)) {
                told.complete(actor + " has stopped; told on shard " + context().shard().id());
            }
        }
    }

    /** One instance per shard; each owns the keys that hash to its shard. */
    public static final class Store extends Actor<Store.Msg> {
        public sealed interface Msg {}
        public record Put(String key, String value) implements Msg {}
        public record Get(String key, Reply<String> reply) implements Msg {}
        public record CountKeys(Reply<Integer> reply) implements Msg {}

        private final Map<String, String> data = new HashMap<>();

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Put(String key, String value) -> data.put(key, value);
                case Get(String key, Reply<String> reply) -> reply.send(data.get(key));
                case CountKeys(Reply<Integer> reply) -> reply.send(data.size());
            }
        }
    }

    public static void main(String[] args) throws Exception {
        ServerSettings settings = ServerOptions.parseOrExit("actors", 0, args);
        try (ActorSystem system = ActorSystem.start(settings.config())) {
            int n = system.shardCount();
            int last = n - 1;
            System.out.printf("Atoll actors: %d shard%s on %s, throughput %d messages per turn%n", n, n == 1 ? "" : "s",
                    system.runtime().driverKind().displayName(), system.settings().throughput());

            System.out.println();
            System.out.println("Spawn and ask:");
            ActorRef<Counter.Msg> counter = system.spawn(Counter::new, Placement.shard(last));
            counter.tell(new Counter.Add(5));
            counter.tell(new Counter.Add(37));
            long total = counter.ask(Counter.Get::new, TIMEOUT).join();   // from outside a shard only
            System.out.printf("  counter on shard %d: total %d%n", counter.shardId(), total);

            pingPong(system, 0, last);
            supervision(system, last);
            sharded(system);

            System.out.println();
            System.out.println("Per shard:  live actors  handled  dead letters  failures  restarts");
            for (ActorStats s : system.stats()) {
                System.out.printf("  shard %-3d %11d %8d %13d %9d %9d%n", s.shard(), s.liveActors(), s.handled(),
                        s.deadLetters(), s.failures(), s.restarts());
            }
        }
    }

    private static void pingPong(ActorSystem system, int a, int b) {
        ActorRef<Player.Ball> left = system.spawn(Player::new, Placement.shard(a));
        ActorRef<Player.Ball> right = system.spawn(Player::new, Placement.shard(b));
        CompletableFuture<Long> done = new CompletableFuture<>();
        long start = System.nanoTime();
        right.tell(new Player.Ball(left, PING_PONGS, done));
        double seconds = (done.join() - start) / 1e9;
        System.out.println();
        System.out.printf("Ping-pong between shard %d and shard %d: %,d messages, one in flight, in %.3f s (%,.0f msgs/s)%n",
                a, b, PING_PONGS, seconds, PING_PONGS / seconds);
        if (a != b && system.runtime().settings().shards().idle().strategy() == IdleStrategyKind.SLEEP) {
            System.out.println("  (each message wakes a sleeping shard; the default -Datoll.shards.idle.strategy=adaptive"
                    + " polls while messages flow and passes them without wake-ups)");
        }
    }

    private static void supervision(ActorSystem system, int shard) {
        System.out.println();
        System.out.println("Supervision (restart at most 2 times within 10 s, then escalate to the guardian):");
        ActorRef<String> parser = system.spawn(Parser::new, Placement.shard(shard),
                SpawnOptions.named("parser").withSupervision(Supervision.restart(2, Duration.ofSeconds(10))));
        CompletableFuture<String> told = new CompletableFuture<>();
        ActorRef<ActorRef<?>> mourner = system.spawn(() -> new Mourner(told), Placement.shard(0));
        mourner.tell(parser);
        for (String text : new String[] {"1", "2", "oops", "3", "oops", "4", "oops", "5"}) {
            parser.tell(text);
        }
        System.out.println("  " + told.join());
        System.out.printf("  dead letters so far: %d (what was still in its mailbox)%n", system.deadLetters());
    }

    private static void sharded(ActorSystem system) {
        System.out.println();
        System.out.println("Sharded store (one instance per shard, keys routed by a stable hash):");
        Sharded<Store.Msg> store = system.spawnSharded(Store::new);
        for (int i = 0; i < 1_000; i++) {
            String key = "user:" + i;
            store.tell(key, new Store.Put(key, "name-" + i));
        }
        for (String key : new String[] {"user:1", "user:42", "user:999"}) {
            String value = store.ask(key, (Reply<String> reply) -> new Store.Get(key, reply), TIMEOUT).join();
            System.out.printf("  %-9s -> %-9s (owned by shard %d)%n", key, value, store.shardFor(key));
        }
        for (ActorRef<Store.Msg> instance : store.instances()) {
            System.out.printf("  shard %d holds %d keys%n", instance.shardId(),
                    instance.ask(Store.CountKeys::new, TIMEOUT).join());
        }
    }
}
