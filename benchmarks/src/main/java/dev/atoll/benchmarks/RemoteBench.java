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
import dev.atoll.cluster.CborSerializer;
import dev.atoll.cluster.ClusterNode;
import dev.atoll.cluster.ClusterSettings;
import dev.atoll.cluster.EmbeddedZooKeeper;
import dev.atoll.cluster.demo.ChildJvm;
import dev.atoll.config.AtollConfig;
import dev.atoll.io.BufferPool;
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
    /** The node JVMs whose speed is measured. */
    private static final List<String> NODE_JVM = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-XX:+UseZGC", "-Xmx1g");
    /**
     * The node JVM whose memory per idle connection is measured: G1 (its heap use after a GC is exact to
     * the byte; ZGC's counts whole pages) and the whole heap committed and touched at start, so the
     * resident set grows only with native memory.
     */
    private static final List<String> MEASURED_JVM = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-XX:+UseG1GC", "-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch");
    static final String IDLE_METHOD = "a node of one shard (measured JVM: " + String.join(" ", MEASURED_JVM.subList(2, 6))
            + ") opens a link to each shard of a peer node of N shards it has none to, then each peer shard without"
            + " one opens a link back; after the first links each way (classes loaded, messages warmed) and after each"
            + " step, 0.5 s idle then System.gc() x3: heap used (MemoryMXBean), VmRSS (/proc/self/status), the"
            + " shard's BufferPool bytes in use; each step's delta divided by the connections it opened. RSS includes"
            + " whatever else grew meanwhile (JIT code, metaspace): see idle_step_drift. Kernel socket buffers are in"
            + " none of them";

    /** The benchmark's messages (records: Atoll's CBOR serializer and the Pekko one below both take them). */
    public sealed interface Msg permits Small, Credit, Start, Ping, PekkoPing, Roster, WhoIsIdle {
    }

    /** The message whose throughput is measured. */
    public record Small(long seq, int value) implements Msg {
    }

    /** The receiver has received {@code received} messages. */
    public record Credit(long received) implements Msg {
    }

    /** Atoll: where the receiver sends its credits (a reference inside a message: it travels as one). */
    public record Start(ActorRef<Msg> creditsTo) implements Msg {
    }

    /** Atoll's ask. */
    public record Ping(long sentNanos, Reply<Long> reply) implements Msg {
    }

    /** The idle peer's actors, one per shard (references inside a message). */
    public record Roster(List<ActorRef<Msg>> actors) implements Msg {
    }

    /** Asks the idle peer's first actor for the {@link Roster}. */
    public record WhoIsIdle(Reply<Roster> reply) implements Msg {
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
                .setting("cpu", "user + system time of both node processes (/proc/PID/stat) over the measured round,"
                        + " read when the sender prints its start and end; per message of that round")
                .setting("pekko", "pekko-remote " + org.apache.pekko.Version.current() + ", Artery TCP,"
                        + " outbound-message-queue-size = 65536 (atoll.cluster.outbound-queue)")
                .setting("idle_connection_memory", IDLE_METHOD)
                .setting("load_average", BenchReport.loadAverage());
        int peers = args.quick() ? 9 : 33;
        report.setting("idle_peer_shards", peers);
        String[] atoll;
        try (EmbeddedZooKeeper zookeeper = EmbeddedZooKeeper.start(0)) {
            atoll = pair(receiverCpu, List.of("atoll-receiver", zookeeper.connectString()),
                    senderCpu, List.of("atoll-sender", zookeeper.connectString(), Long.toString(messages), Integer.toString(asks)));
        }
        String[] pekko = pair(receiverCpu, List.of("pekko-receiver"),
                senderCpu, List.of("pekko-sender", "PORT", Long.toString(messages), Integer.toString(asks)));
        String[] idle;
        try (EmbeddedZooKeeper zookeeper = EmbeddedZooKeeper.start(0)) {
            idle = idleConnections(zookeeper.connectString(), peers);
        }
        double[] a = parse(atoll);
        double[] p = parse(pekko);
        String[] names = {"tell throughput", "ask p50", "ask p99"};
        String[] units = {"msgs/s", "us", "us"};
        for (int i = 0; i < 3; i++) {
            BenchReport.Better better = i == 0 ? BenchReport.Better.HIGHER : BenchReport.Better.LOWER;
            report.result(names[i], "atoll", a[i], units[i], better);
            report.result(names[i], "pekko-artery", p[i], units[i], better);
        }
        String[] idleNames = {"idle outbound connection heap", "idle outbound connection RSS", "idle outbound connection buffer pool",
                "idle inbound connection heap", "idle inbound connection RSS", "idle inbound connection buffer pool"};
        for (int i = 0; i < idleNames.length; i++) {
            report.result(idleNames[i], "atoll", Double.parseDouble(idle[i + 1]), "B", BenchReport.Better.LOWER);
        }
        report.setting("idle_connections_measured", idle[7] + " outbound, " + idle[8] + " inbound (the peer's other shards had"
                + " a link already)").setting("idle_step_drift", "a step with no new connection moved heap by " + idle[9]
                + " B, RSS by " + idle[10] + " B, the pool by " + idle[11] + " B (in total, not per connection)");
        report.result("tell CPU per message (both nodes)", "atoll", a[3] * 1e6 / messages, "us", BenchReport.Better.LOWER);
        report.result("tell CPU per message (both nodes)", "pekko-artery", p[3] * 1e6 / messages, "us", BenchReport.Better.LOWER);
        report.ratioHigherIsBetter("atoll/pekko tell throughput", a[0], p[0], 2.0);
        // Steadier than wall time on a shared machine: if both were CPU-bound, throughput would follow it.
        report.ratioLowerIsBetter("pekko/atoll tell CPU per message", a[3], p[3], 2.0);
        report.ratioLowerIsBetter("pekko/atoll ask p50", a[1], p[1], 2.0);   // the goal: Atoll's p50 at most half Pekko's
        report.ratioLowerIsBetter("pekko/atoll ask p99", a[2], p[2], 1.0);
        report.publish(args);
    }

    /** {@code @@result THROUGHPUT P50 P99 CPU_SECONDS} as numbers. */
    private static double[] parse(String[] words) {
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            v[i] = Double.parseDouble(words[i + 1]);
        }
        return v;
    }

    /** Starts a receiver, then a sender against it; returns the sender's result line, split. */
    private static String[] pair(List<String> receiverCpu, List<String> receiverArgs, List<String> senderCpu,
                                 List<String> senderArgs) throws Exception {
        try (ChildJvm receiver = child("receiver", receiverCpu, NODE_JVM, receiverArgs)) {
            String ready = receiver.expect("@@ready");
            List<String> args = new ArrayList<>(senderArgs);
            args.replaceAll(a -> a.equals("PORT") ? ready.split(" ")[1] : a);
            try (ChildJvm sender = child("sender", senderCpu, NODE_JVM, args)) {
                ProcessCpu cpu = ProcessCpu.forThisMachine();
                long[] pids = {receiver.process().pid(), sender.process().pid()};
                sender.expect("@@measuring");
                double before = cpu.seconds(pids[0]) + cpu.seconds(pids[1]);
                sender.expect("@@measured");
                double used = cpu.seconds(pids[0]) + cpu.seconds(pids[1]) - before;
                String result = sender.expect("@@result") + " " + used;
                System.out.println(senderArgs.getFirst() + ": " + result);
                return result.split(" ");
            }
        }
    }

    /** A peer node of {@code peers} shards and a measured node that connects to each; the measured node's line, split. */
    private static String[] idleConnections(String zookeeper, int peers) throws Exception {
        try (ChildJvm peer = child("idle-peer", List.of(), NODE_JVM, List.of("atoll-idle-peer", zookeeper, Integer.toString(peers)))) {
            peer.expect("@@ready");
            try (ChildJvm measured = child("measured", List.of(), MEASURED_JVM,
                    List.of("atoll-idle", zookeeper, Integer.toString(peers)))) {
                String result = measured.expect("@@idle");
                System.out.println("bytes per idle connection (heap, RSS, buffer pool; outbound, inbound; connections; drift): " + result);
                return result.split(" ");
            }
        }
    }

    /** A node JVM of this class on {@code cpu} ({@code taskset}, or nothing). */
    private static ChildJvm child(String name, List<String> cpu, List<String> jvm, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(cpu);
        command.addAll(ChildJvm.java(jvm, RemoteBench.class, args));
        return ChildJvm.start(name, Duration.ofSeconds(WAIT_SECONDS), command);
    }

    // ---- the node processes ----

    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "atoll-receiver" -> atollReceiver(args[1]);
                case "atoll-sender" -> atollSender(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]));
                case "atoll-idle-peer" -> atollIdlePeer(args[1], Integer.parseInt(args[2]));
                case "atoll-idle" -> atollIdle(args[1], Integer.parseInt(args[2]));
                case "pekko-receiver" -> pekkoReceiver();
                case "pekko-sender" -> pekkoSender(Integer.parseInt(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (Throwable t) {
            t.printStackTrace(System.out);
        }
        System.exit(0);
    }

    /** Tells the harness where the measured (second) round starts and ends: it reads both nodes' CPU time there. */
    private static void markMeasured(int round, String mark) {
        if (round == 1) {
            System.out.println(mark);
        }
    }

    private static AtollConfig atollConfig(String zookeeper, String name) {
        return atollConfig(zookeeper, name, "count = 1");
    }

    private static AtollConfig atollConfig(String zookeeper, String name, String shards) {
        return AtollConfig.parse("atoll.shards { " + shards + " }\natoll.cluster { zookeeper = \"" + zookeeper
                + "\", path = \"/atoll/bench\", node-name = " + name + " }", "RemoteBench");
    }

    /** The actor named {@code name} anywhere in the cluster, looked up until found (bounded). */
    private static ActorRef<Msg> find(ClusterNode node, String name) throws Exception {
        for (int i = 0; i < 600; i++) {
            ActorRef<Msg> found = node.<Msg>lookup(name, Duration.ofSeconds(1)).get().orElse(null);
            if (found != null) {
                return found;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no " + name + " found");
    }

    /** Counts what arrives, credits the sender, answers pings. */
    static final class AtollSink extends Actor<Msg> {
        private ActorRef<Msg> credits;
        private long received;

        @Override
        protected void receive(Msg message) {
            switch (message) {
                case Small s -> {
                    if (++received % CREDIT_EVERY == 0) {
                        credits.tell(new Credit(received));
                    }
                }
                case Start(ActorRef<Msg> to) -> credits = to;
                case Ping(long t, Reply<Long> reply) -> reply.send(t);
                default -> { }
            }
        }
    }

    private static void atollReceiver(String zookeeper) throws Exception {
        AtollConfig config = atollConfig(zookeeper, "receiver");
        ActorSystem system = ActorSystem.start(config);
        ClusterNode node = ClusterNode.start(system, ClusterSettings.from(config), CborSerializer.of(Msg.class));
        system.spawn(AtollSink::new, Placement.shard(0), SpawnOptions.named("sink"));
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
        ActorRef<Msg> sink = find(node, "sink");
        double throughput = 0;
        for (int round = 0; round < 2; round++) {   // the first warms up
            CompletableFuture<Long> done = new CompletableFuture<>();
            ActorRef<Msg> finalSink = sink;
            long total = messages * (round + 1) - (round == 0 ? 0 : messages);   // the sink counts on
            long already = round * messages;
            ActorRef<Msg> pump = system.spawn(() -> new AtollPump(finalSink, already + total, done), Placement.shard(0));
            markMeasured(round, "@@measuring");
            sink.tell(new Start(pump));
            pump.tell(new Credit(already));
            long nanos = done.get(WAIT_SECONDS, TimeUnit.SECONDS);
            markMeasured(round, "@@measured");
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

    // ---- memory per idle connection ----

    /**
     * On each shard of the peer: answers a {@link Start} with one {@link Credit}, which opens that shard's
     * link back; the first one also knows the {@link Roster}.
     */
    static final class AtollIdle extends Actor<Msg> {
        private Roster roster;

        @Override
        protected void receive(Msg message) {
            switch (message) {
                case Start(ActorRef<Msg> to) -> to.tell(new Credit(0));
                case Roster r -> roster = r;
                case WhoIsIdle(Reply<Roster> reply) -> reply.send(roster);
                default -> { }
            }
        }
    }

    private static void atollIdlePeer(String zookeeper, int shards) throws Exception {
        AtollConfig config = atollConfig(zookeeper, "idle-peer", "count = " + shards + ", pin = false");
        ActorSystem system = ActorSystem.start(config);
        ClusterNode.start(system, ClusterSettings.from(config), CborSerializer.of(Msg.class));
        List<ActorRef<Msg>> actors = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            actors.add(system.spawn(AtollIdle::new, Placement.shard(i), SpawnOptions.named("idle-" + i)));
        }
        actors.getFirst().tell(new Roster(List.copyOf(actors)));
        System.out.println("@@ready 0");
        while (System.in.read() >= 0) {
            // until the benchmark ends us
        }
    }

    /** What this process holds: heap used after GCs, resident set, and shard 0's buffer pool bytes in use. */
    private record Footprint(long heap, long rss, long pool) {
        static Footprint of(ActorSystem system) throws Exception {
            Thread.sleep(500);   // the connections settle (handshake buffers back in the pool)
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(100);
            }
            long heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long pool = system.runtime().submit(0, () -> BufferPool.current().stats().inUseBytes()).join();
            long rss = -1;
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return new Footprint(heap, rss, pool);
        }

        /** {@code (this - before) / n}, as "heap rss pool". */
        String perConnection(Footprint before, int n) {
            return (heap - before.heap) / n + " " + (rss - before.rss) / n + " " + (pool - before.pool) / n;
        }
    }

    private static void atollIdle(String zookeeper, int peers) throws Exception {
        AtollConfig config = atollConfig(zookeeper, "measured");
        ActorSystem system = ActorSystem.start(config);
        ClusterNode node = ClusterNode.start(system, ClusterSettings.from(config), CborSerializer.of(Msg.class));
        ActorRef<Msg> sink = system.spawn(AtollSink::new, Placement.shard(0));
        List<ActorRef<Msg>> idle = find(node, "idle-0").<Roster>ask(WhoIsIdle::new, Duration.ofSeconds(30))
                .get(WAIT_SECONDS, TimeUnit.SECONDS).actors();
        // The first links each way (the lookup's, the ask's and their answers') loaded what every connection
        // needs; these load the messages' classes. Which peer shard answered the lookup varies: counted, not assumed.
        idle.getFirst().tell(new Small(0, 0));
        idle.getFirst().tell(new Start(sink));
        awaitConnections(() -> node.inboundConnections() >= 1 && node.outboundConnections() >= 1);
        int outboundBefore = node.outboundConnections();
        Footprint drift = Footprint.of(system);   // a step with no new connection: what the figures move by themselves
        Footprint base = Footprint.of(system);
        int inboundBefore = node.inboundConnections();
        for (int i = 1; i < peers; i++) {
            idle.get(i).tell(new Small(i, 0));   // opens this shard's link to peer shard i; nothing comes back
        }
        awaitConnections(() -> node.outboundConnections() == peers);
        Footprint outbound = Footprint.of(system);
        for (int i = 1; i < peers; i++) {
            idle.get(i).tell(new Start(sink));   // peer shard i opens its link to this node, if it has none yet
        }
        awaitConnections(() -> node.inboundConnections() == peers);
        Footprint inbound = Footprint.of(system);
        System.out.println("@@idle " + outbound.perConnection(base, peers - outboundBefore) + " "
                + inbound.perConnection(outbound, peers - inboundBefore) + " " + (peers - outboundBefore) + " " + (peers - inboundBefore)
                + " " + base.perConnection(drift, 1));
    }

    private static void awaitConnections(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the connections did not open within " + WAIT_SECONDS + " s");
            }
            Thread.sleep(20);
        }
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
            markMeasured(round, "@@measuring");
            pump.tell("go", org.apache.pekko.actor.ActorRef.noSender());
            long nanos = done.get(WAIT_SECONDS, TimeUnit.SECONDS);
            markMeasured(round, "@@measured");
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
