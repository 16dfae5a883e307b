package dev.atoll.cluster.demo;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.ActorSystem;
import dev.atoll.actors.Signal;
import dev.atoll.actors.SpawnOptions;
import dev.atoll.actors.Terminated;
import dev.atoll.cluster.CborSerializer;
import dev.atoll.cluster.ClusterNode;
import dev.atoll.cluster.ClusterSettings;
import dev.atoll.cluster.ClusterSharded;
import dev.atoll.cluster.EmbeddedZooKeeper;
import dev.atoll.cluster.Entity;
import dev.atoll.config.AtollConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./atoll run cluster}: an embedded ZooKeeper and three nodes, each a JVM of its own, on
 * loopback. Traffic goes to 30 cluster-sharded counters; every node watches the others' "sentinel"
 * actors (found by name anywhere in the cluster); node-3 is killed with SIGKILL; the survivors are told
 * (Terminated), its counters start again on them, and each node's counters are printed. Exits by
 * itself: everything waits at most {@value #WAIT_SECONDS} s.
 *
 * <p>Run with {@code node NAME ZOOKEEPER SESSION_MILLIS} it is one of the nodes, driven by lines on its standard input
 * ({@code traffic N}, {@code report}, {@code quit}) and answering with lines that start with {@code @@}.
 */
public final class ClusterDemo {
    static final long WAIT_SECONDS = 60;
    private static final int NODES = 3;
    private static final int KEYS = 30;
    private static final int MESSAGES = 3_000;

    /** A counter entity's message. */
    public record Add(long amount) {
    }

    /** What a sentinel receives: nothing (it is there to be watched). */
    public record Ping() {
    }

    private ClusterDemo() {
    }

    public static void main(String[] args) {
        try {
            if (args.length == 4 && args[0].equals("node")) {
                node(args[1], args[2], Long.parseLong(args[3]));
                System.exit(0);
            }
            System.exit(run(System.out) ? 0 : 1);
        } catch (Throwable t) {
            // Said here: ZooKeeper's server installs a default handler that would only log it (and there is no logger).
            t.printStackTrace();
            System.exit(1);
        }
    }

    // ---- the coordinator ----

    /** Runs the whole demo, printing to {@code out}; true when every step happened in time. */
    public static boolean run(PrintStream out) throws Exception {
        return run(out, Duration.ofSeconds(5));
    }

    /** {@link #run(PrintStream)} with the nodes' ZooKeeper session timeout (how long a killed node stays listed). */
    public static boolean run(PrintStream out, Duration sessionTimeout) throws Exception {
        List<Node> nodes = new ArrayList<>();
        try (EmbeddedZooKeeper zookeeper = EmbeddedZooKeeper.start(0)) {
            out.println("ZooKeeper (embedded) at " + zookeeper.connectString());
            for (int i = 1; i <= NODES; i++) {
                nodes.add(Node.start("node-" + i, zookeeper.connectString(), sessionTimeout));
            }
            for (Node n : nodes) {
                n.awaitMembers(NODES);
                out.println(n.name + " (pid " + n.process().pid() + ") sees " + NODES + " members");
            }
            for (Node n : nodes) {
                n.send("watch");
            }
            for (Node n : nodes) {
                n.expect("@@watching " + (NODES - 1));
            }
            out.println("each node watches the other nodes' sentinels");
            traffic(out, nodes);
            report(out, nodes, "after the first traffic");

            Node victim = nodes.remove(NODES - 1);
            out.println("killing " + victim.name + " (SIGKILL, pid " + victim.process().pid() + ")");
            victim.process().destroyForcibly();
            for (Node n : nodes) {
                out.println(n.name + ": " + n.expect("@@terminated sentinel-" + victim.name).substring(2));
                n.awaitMembers(NODES - 1);
            }
            traffic(out, nodes);
            report(out, nodes, "after " + victim.name + " died (its counters started again on the others)");
            for (Node n : nodes) {
                n.send("quit");
            }
            for (Node n : nodes) {
                if (!n.process().waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(n.name + " did not exit");
                }
            }
            out.println("done");
            return true;
        } catch (IllegalStateException e) {
            out.println("the demo failed: " + e.getMessage());
            return false;
        } finally {
            for (Node n : nodes) {
                n.process().destroyForcibly();
            }
        }
    }

    private static void traffic(PrintStream out, List<Node> nodes) throws InterruptedException {
        for (Node n : nodes) {
            n.send("traffic " + MESSAGES);
        }
        for (Node n : nodes) {
            n.expect("@@sent");
        }
        out.println("sent " + MESSAGES + " messages to " + KEYS + " counters from each of " + nodes.size() + " nodes");
    }

    /** Asks every node for its counters until they add up to everything delivered (bounded). */
    private static void report(PrintStream out, List<Node> nodes, String when) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        List<String> lines = new ArrayList<>();
        long previous = -1;
        for (;;) {
            lines.clear();
            long delivered = 0;
            for (Node n : nodes) {
                n.send("report");
                String line = n.expect("@@report");
                lines.add(line.substring("@@report ".length()));
                delivered += Long.parseLong(line.split(" ")[2].split("=")[1]);
            }
            if (delivered == previous || System.nanoTime() > deadline) {
                break;   // nothing more arrived since the last look
            }
            previous = delivered;
            Thread.sleep(200);
        }
        out.println("counters " + when + ":");
        for (String line : lines) {
            out.println("  " + line);
        }
    }

    /** A node JVM, driven by lines. */
    private record Node(String name, ChildJvm jvm) {
        static Node start(String name, String zookeeper, Duration sessionTimeout) throws IOException {
            return new Node(name, ChildJvm.start(name, Duration.ofSeconds(WAIT_SECONDS), ChildJvm.java(
                    List.of("--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1"), ClusterDemo.class,
                    List.of("node", name, zookeeper, Long.toString(sessionTimeout.toMillis())))));
        }

        Process process() {
            return jvm.process();
        }

        void send(String command) {
            jvm.send(command);
        }

        String expect(String prefix) throws InterruptedException {
            return jvm.expect(prefix);
        }

        /** Asks the node for its member count until it is {@code count} (bounded). */
        void awaitMembers(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            for (;;) {
                send("members");
                if (expect("@@members ").equals("@@members " + count)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not see " + count + " members within " + WAIT_SECONDS + " s");
                }
                Thread.sleep(50);
            }
        }
    }

    // ---- one node ----

    /** A counter: the sum of what it was sent. */
    private static final class Counter implements Entity<Add> {
        long total;

        @Override
        public void receive(Add add) {
            total += add.amount();
        }
    }

    /** Tells a {@link Watcher} to watch {@code ref}, known as {@code name}. */
    private record WatchSentinel(String name, ActorRef<?> ref) {
    }

    /** Prints a line for each watched sentinel that terminates. */
    private static final class Watcher extends Actor<WatchSentinel> {
        private final java.util.Map<ActorRef<?>, String> names = new java.util.HashMap<>();

        @Override
        protected void receive(WatchSentinel watch) {
            names.put(watch.ref(), watch.name());
            context().watch(watch.ref());
        }

        @Override
        protected void onSignal(Signal signal) {
            ActorRef<?> gone = ((Terminated) signal).actor();
            System.out.println("@@terminated " + names.remove(gone) + " (" + gone + ")");
        }
    }

    private static final class Sentinel extends Actor<Ping> {
        @Override
        protected void receive(Ping ping) {
        }
    }

    private static void node(String name, String zookeeper, long sessionMillis) throws Exception {
        AtollConfig config = AtollConfig.parse("atoll.shards { count = 2, pin = false }\n"
                + "atoll.cluster { zookeeper = \"" + zookeeper + "\", path = \"/atoll/demo\", session-timeout = " + sessionMillis + "ms,"
                + " node-name = " + name + " }", "ClusterDemo");
        try (ActorSystem system = ActorSystem.start(config);
             ClusterNode node = ClusterNode.start(system, ClusterSettings.from(config), CborSerializer.of(Add.class, Ping.class))) {
            ClusterSharded<Add> counters = ClusterSharded.start(node, "counter", key -> new Counter());
            system.spawn(Sentinel::new, dev.atoll.actors.Placement.shard(0), SpawnOptions.named("sentinel-" + name));
            ActorRef<WatchSentinel> watcher = system.spawn(Watcher::new);
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String command; (command = commands.readLine()) != null && !command.equals("quit"); ) {
                String[] words = command.split(" ");
                switch (words[0]) {
                    case "watch" -> {
                        int watching = 0;
                        for (int i = 1; i <= NODES; i++) {
                            String other = "node-" + i;
                            if (!other.equals(name)) {
                                Optional<ActorRef<Object>> sentinel = node.<Object>lookup("sentinel-" + other, Duration.ofSeconds(5))
                                        .get(WAIT_SECONDS, TimeUnit.SECONDS);
                                if (sentinel.isPresent()) {
                                    watcher.tell(new WatchSentinel("sentinel-" + other, sentinel.get()));
                                    watching++;
                                }
                            }
                        }
                        System.out.println("@@watching " + watching);
                    }
                    case "traffic" -> {
                        int n = Integer.parseInt(words[1]);
                        for (int i = 0; i < n; i++) {
                            counters.tell("user-" + (i % KEYS), new Add(1));
                        }
                        System.out.println("@@sent " + n);
                    }
                    case "members" -> System.out.println("@@members " + node.members().size());
                    case "report" -> System.out.println("@@report " + name + " delivered=" + counters.delivered()
                            + " entities=" + counters.entities() + " started=" + counters.started()
                            + " stopped=" + counters.stopped() + " forwarded=" + counters.forwarded()
                            + " dead-letters=" + node.deadLetters());
                    default -> System.out.println("@@unknown " + command);
                }
            }
        }
    }
}
