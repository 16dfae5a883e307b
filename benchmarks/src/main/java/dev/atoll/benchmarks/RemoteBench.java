package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.ActorSystem;
import dev.atoll.actors.Placement;
import dev.atoll.actors.Reply;
import dev.atoll.actors.SpawnOptions;
import dev.atoll.cluster.ActorAddress;
import dev.atoll.cluster.CborSerializer;
import dev.atoll.cluster.ClusterNode;
import dev.atoll.cluster.ClusterSettings;
import dev.atoll.cluster.EmbeddedZooKeeper;
import dev.atoll.cluster.demo.ChildJvm;
import dev.atoll.config.AtollConfig;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.serialization.SerializerWithStringManifest;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./atoll bench remote}: two node JVMs on loopback, each with one thread for its actors (Atoll:
 * one shard; Pekko: a one-thread dispatcher, Artery's internal dispatcher aliased to it), placed on
 * two CPUs with {@code taskset}: one-way tell throughput of small records (a window of unacknowledged
 * messages, credits from the receiver every {@value #CREDIT_EVERY}), and ask round trips from a thread
 * that is not the actors' (p50/p99). Both serialize with Jackson CBOR. Atoll's nodes meet through an
 * embedded ZooKeeper; Pekko's sender resolves the receiver's actor by its Artery TCP address.
 */
public final class RemoteBench {
    static final int CREDIT_EVERY = 10_000;
    static final int WINDOW = 40_000;
    private static final long WAIT_SECONDS = 120;

    /** The benchmark's messages (records: Atoll's CBOR serializer and the Pekko one below both take them). */
    public sealed interface Msg permits Small, Credit, Start, Ping, PekkoPing {
    }

    /** The message whose throughput is measured. */
    public record Small(long seq, int value) implements Msg {
    }

    /** The receiver has received {@code received} messages. */
    public record Credit(long received) implements Msg {
    }

    /** Atoll: where the receiver sends its credits. */
    public record Start(ActorAddress creditsTo) implements Msg {
    }

    /** Atoll's ask. */
    public record Ping(long sentNanos, Reply<Long> reply) implements Msg {
    }

    /** Pekko's ask (the answer goes to the sender). */
    public record PekkoPing(long sentNanos) implements Msg {
    }

    private RemoteBench() {
    }

    public static void run(BenchArgs args) throws Exception {
        long messages = args.quick() ? 200_000 : 2_000_000;
        int asks = args.quick() ? 2_000 : 20_000;
        List<Integer> cpus = CpuList.allowed();
        List<String> receiverCpu = cpus.size() >= 2 ? List.of("taskset", "-c", cpus.get(1).toString()) : List.of();
        List<String> senderCpu = cpus.size() >= 2 ? List.of("taskset", "-c", cpus.get(0).toString()) : List.of();
        BenchReport report = BenchReport.forRun(args);
        report.setting("messages", messages).setting("asks", asks + " after " + asks / 10 + " to warm up")
                .setting("window", WINDOW + " unacknowledged messages, a credit every " + CREDIT_EVERY)
                .setting("placement", cpus.size() >= 2 ? "sender on CPU " + cpus.get(0) + ", receiver on CPU " + cpus.get(1)
                        : "unplaced (one CPU)")
                .setting("threads", "one per node: Atoll one shard; Pekko a fork-join dispatcher of 1, internal dispatcher aliased")
                .setting("serialization", "Jackson CBOR on both")
                .setting("pekko", "pekko-remote " + org.apache.pekko.Version.current() + ", Artery TCP,"
                        + " outbound-message-queue-size = 65536 (atoll.cluster.outbound-queue)")
                .setting("idle_connection_memory", "not measured yet")
                .setting("load_average", BenchReport.loadAverage());
        String[] atoll;
        try (EmbeddedZooKeeper zookeeper = EmbeddedZooKeeper.start(0)) {
            atoll = pair(receiverCpu, List.of("atoll-receiver", zookeeper.connectString()),
                    senderCpu, List.of("atoll-sender", zookeeper.connectString(), Long.toString(messages), Integer.toString(asks)));
        }
        String[] pekko = pair(receiverCpu, List.of("pekko-receiver"),
                senderCpu, List.of("pekko-sender", "PORT", Long.toString(messages), Integer.toString(asks)));
        double[] a = parse(atoll);
        double[] p = parse(pekko);
        String[] names = {"tell throughput", "ask p50", "ask p99"};
        String[] units = {"msgs/s", "us", "us"};
        for (int i = 0; i < 3; i++) {
            BenchReport.Better better = i == 0 ? BenchReport.Better.HIGHER : BenchReport.Better.LOWER;
            report.result(names[i], "atoll", a[i], units[i], better);
            report.result(names[i], "pekko-artery", p[i], units[i], better);
        }
        report.ratioHigherIsBetter("atoll/pekko tell throughput", a[0], p[0], 2.0);
        report.ratioLowerIsBetter("pekko/atoll ask p50", a[1], p[1], 2.0);   // the goal: Atoll's p50 at most half Pekko's
        report.ratioLowerIsBetter("pekko/atoll ask p99", a[2], p[2], 1.0);
        report.publish(args);
    }

    /** {@code @@result THROUGHPUT P50 P99} as numbers. */
    private static double[] parse(String[] words) {
        double[] v = new double[3];
        for (int i = 0; i < 3; i++) {
            v[i] = Double.parseDouble(words[i + 1]);
        }
        return v;
    }

    /** Starts a receiver, then a sender against it; returns the sender's result line, split. */
    private static String[] pair(List<String> receiverCpu, List<String> receiverArgs, List<String> senderCpu,
                                 List<String> senderArgs) throws Exception {
        try (ChildJvm receiver = child("receiver", receiverCpu, receiverArgs)) {
            String ready = receiver.expect("@@ready");
            List<String> args = new ArrayList<>(senderArgs);
            args.replaceAll(a -> a.equals("PORT") ? ready.split(" ")[1] : a);
            try (ChildJvm sender = child("sender", senderCpu, args)) {
                String result = sender.expect("@@result");
                System.out.println(senderArgs.getFirst() + ": " + result);
                return result.split(" ");
            }
        }
    }

    /** A node JVM of this class on {@code cpu} ({@code taskset}, or nothing). */
    private static ChildJvm child(String name, List<String> cpu, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(cpu);
        command.addAll(ChildJvm.java(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-XX:+UseZGC", "-Xmx1g"), RemoteBench.class, args));
        return ChildJvm.start(name, Duration.ofSeconds(WAIT_SECONDS), command);
    }

    // ---- the node processes ----

    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "atoll-receiver" -> atollReceiver(args[1]);
                case "atoll-sender" -> atollSender(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]));
                case "pekko-receiver" -> pekkoReceiver();
                case "pekko-sender" -> pekkoSender(Integer.parseInt(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (Throwable t) {
            t.printStackTrace(System.out);
        }
        System.exit(0);
    }

    private static AtollConfig atollConfig(String zookeeper, String name) {
        return AtollConfig.parse("atoll.shards { count = 1 }\natoll.cluster { zookeeper = \"" + zookeeper
                + "\", path = \"/atoll/bench\", node-name = " + name + " }", "RemoteBench");
    }

    /** Counts what arrives, credits the sender, answers pings. */
    static final class AtollSink extends Actor<Msg> {
        private final ClusterNode node;
        private ActorRef<Msg> credits;
        private long received;

        AtollSink(ClusterNode node) {
            this.node = node;
        }

        @Override
        protected void receive(Msg message) {
            switch (message) {
                case Small s -> {
                    if (++received % CREDIT_EVERY == 0) {
                        credits.tell(new Credit(received));
                    }
                }
                case Start(ActorAddress to) -> credits = node.refFor(to);
                case Ping(long t, Reply<Long> reply) -> reply.send(t);
                default -> { }
            }
        }
    }

    private static void atollReceiver(String zookeeper) throws Exception {
        AtollConfig config = atollConfig(zookeeper, "receiver");
        ActorSystem system = ActorSystem.start(config);
        ClusterNode node = ClusterNode.start(system, ClusterSettings.from(config), CborSerializer.of(Msg.class));
        system.spawn(() -> new AtollSink(node), Placement.shard(0), SpawnOptions.named("sink"));
        System.out.println("@@ready 0");
        while (System.in.read() >= 0) {
            // until the benchmark ends us
        }
    }

    /** Sends {@code total} messages keeping at most {@link #WINDOW} unacknowledged; completes with the nanoseconds taken. */
    static final class AtollPump extends Actor<Msg> {
        private final ActorRef<Msg> sink;
        private final long total;
        private final CompletableFuture<Long> done;
        private long sent;
        private long credited;
        private long start;

        AtollPump(ActorRef<Msg> sink, long total, CompletableFuture<Long> done) {
            this.sink = sink;
            this.total = total;
            this.done = done;
        }

        @Override
        protected void receive(Msg message) {
            if (start == 0) {
                start = System.nanoTime();
            }
            if (message instanceof Credit(long received)) {
                credited = received;
            }
            if (credited >= total) {
                done.complete(System.nanoTime() - start);
                return;
            }
            while (sent < total && sent - credited < WINDOW) {
                sink.tell(new Small(sent++, 7));
            }
        }
    }

    private static void atollSender(String zookeeper, long messages, int asks) throws Exception {
        AtollConfig config = atollConfig(zookeeper, "sender");
        ActorSystem system = ActorSystem.start(config);
        ClusterNode node = ClusterNode.start(system, ClusterSettings.from(config), CborSerializer.of(Msg.class));
        ActorRef<Msg> sink = null;
        for (int i = 0; i < 600 && sink == null; i++) {
            sink = node.<Msg>lookup("sink", Duration.ofSeconds(1)).get().orElse(null);
            if (sink == null) {
                Thread.sleep(100);
            }
        }
        if (sink == null) {
            throw new IllegalStateException("no sink found");
        }
        double throughput = 0;
        for (int round = 0; round < 2; round++) {   // the first warms up
            CompletableFuture<Long> done = new CompletableFuture<>();
            ActorRef<Msg> finalSink = sink;
            long total = messages * (round + 1) - (round == 0 ? 0 : messages);   // the sink counts on
            long already = round * messages;
            ActorRef<Msg> pump = system.spawn(() -> new AtollPump(finalSink, already + total, done), Placement.shard(0));
            sink.tell(new Start(node.export(pump)));
            pump.tell(new Credit(already));
            long nanos = done.get(WAIT_SECONDS, TimeUnit.SECONDS);
            throughput = total * 1e9 / nanos;
        }
        Histogram h = new Histogram(3);
        for (int i = 0; i < asks + asks / 10; i++) {
            long t = System.nanoTime();
            sink.<Long>ask(r -> new Ping(t, r), Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
            if (i >= asks / 10) {
                h.recordValue(System.nanoTime() - t);
            }
        }
        System.out.printf("@@result %.0f %.1f %.1f%n", throughput, h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3);
    }

    // ---- Pekko ----

    /** Jackson CBOR for the benchmark's records, as Atoll's serializer does (class name as the manifest). */
    public static final class PekkoCbor extends SerializerWithStringManifest {
        private final ObjectMapper mapper = new ObjectMapper(new CBORFactory());

        @Override
        public int identifier() {
            return 424_242;
        }

        @Override
        public String manifest(Object o) {
            return o.getClass().getName();
        }

        @Override
        public byte[] toBinary(Object o) {
            try {
                return mapper.writeValueAsBytes(o);
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }

        @Override
        public Object fromBinary(byte[] bytes, String manifest) {
            try {
                Class<?> type = Class.forName(manifest);
                if (type != Long.class && !Msg.class.isAssignableFrom(type)) {
                    throw new IllegalArgumentException("not a benchmark message: " + manifest);
                }
                return mapper.readValue(bytes, type);
            } catch (IOException | ClassNotFoundException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }

    private static Config pekkoConfig(int port) {
        return ConfigFactory.parseString("""
                pekko.actor.provider = remote
                pekko.remote.artery.transport = tcp
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = %d
                # As atoll.cluster.outbound-queue: Artery's default (3072) drops what the window sends.
                pekko.remote.artery.advanced.outbound-message-queue-size = 65536
                pekko.actor.serializers.bench = "dev.atoll.benchmarks.RemoteBench$PekkoCbor"
                pekko.actor.serialization-bindings { "dev.atoll.benchmarks.RemoteBench$Msg" = bench, "java.lang.Long" = bench }
                """.formatted(port)).withFallback(PekkoConfig.of(1, ActorsBench.PEKKO_THROUGHPUT));
    }

    /** Counts what arrives, credits the sender, answers pings. */
    static final class PekkoSink extends AbstractActor {
        private long received;

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(Small.class, s -> {
                        if (++received % CREDIT_EVERY == 0) {
                            getSender().tell(new Credit(received), getSelf());
                        }
                    })
                    .match(PekkoPing.class, p -> getSender().tell(p.sentNanos(), getSelf()))
                    .build();
        }
    }

    private static void pekkoReceiver() throws Exception {
        org.apache.pekko.actor.ActorSystem system = org.apache.pekko.actor.ActorSystem.create("bench", pekkoConfig(0));
        system.actorOf(Props.create(PekkoSink.class), "sink");
        int port = (int) system.provider().getDefaultAddress().getPort().get();
        System.out.println("@@ready " + port);
        while (System.in.read() >= 0) {
            // until the benchmark ends us
        }
    }

    static final class PekkoPump extends AbstractActor {
        private final org.apache.pekko.actor.ActorRef sink;
        private final long total;
        private final CompletableFuture<Long> done;
        private long sent;
        private long credited;
        private long start;

        PekkoPump(org.apache.pekko.actor.ActorRef sink, long total, long already, CompletableFuture<Long> done) {
            this.sink = sink;
            this.total = total;
            this.done = done;
            this.sent = already;
            this.credited = already;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(message -> {
                if (start == 0) {
                    start = System.nanoTime();
                }
                if (message instanceof Credit(long received)) {
                    credited = received;
                }
                if (credited >= total) {
                    done.complete(System.nanoTime() - start);
                    return;
                }
                while (sent < total && sent - credited < WINDOW) {
                    sink.tell(new Small(sent++, 7), getSelf());
                }
            }).build();
        }
    }

    private static void pekkoSender(int port, long messages, int asks) throws Exception {
        org.apache.pekko.actor.ActorSystem system = org.apache.pekko.actor.ActorSystem.create("bench", pekkoConfig(0));
        org.apache.pekko.actor.ActorRef sink = system.actorSelection("pekko://bench@127.0.0.1:" + port + "/user/sink")
                .resolveOne(Duration.ofSeconds(30)).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        double throughput = 0;
        for (int round = 0; round < 2; round++) {
            CompletableFuture<Long> done = new CompletableFuture<>();
            long already = round * messages;
            org.apache.pekko.actor.ActorRef pump = system.actorOf(Props.create(PekkoPump.class,
                    () -> new PekkoPump(sink, already + messages, already, done)));
            pump.tell("go", org.apache.pekko.actor.ActorRef.noSender());
            long nanos = done.get(WAIT_SECONDS, TimeUnit.SECONDS);
            throughput = messages * 1e9 / nanos;
        }
        Histogram h = new Histogram(3);
        for (int i = 0; i < asks + asks / 10; i++) {
            long t = System.nanoTime();
            Patterns.ask(sink, new PekkoPing(t), Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (i >= asks / 10) {
                h.recordValue(System.nanoTime() - t);
            }
        }
        System.out.printf("@@result %.0f %.1f %.1f%n", throughput, h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3);
    }
}
