package dev.atoll.cluster;

import dev.atoll.actors.ActorRef;
import dev.atoll.actors.ActorSystem;
import dev.atoll.config.AtollConfig;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A node in another JVM, paused past its session timeout (SIGSTOP), resumed, then killed (SIGKILL). */
class MultiJvmTest {
    private static final long WAIT_SECONDS = 30;

    @Test
    void aPausedNodeIsDownForEveryoneComesBackAsANewIncarnationAndAKilledOneLeaves() throws Exception {
        try (TestingServer zookeeper = ZooKeeperMembershipTest.startServer();
             ActorSystem system = ActorSystem.start(AtollConfig.parse("atoll.shards { count = 1, pin = false }", "test"))) {
            ClusterSettings settings = ClusterSettings.from(AtollConfig.parse("atoll.cluster { zookeeper = \""
                    + zookeeper.getConnectString() + "\", path = \"/atoll/multi\", session-timeout = 1s, node-name = parent }", "test"));
            try (ClusterNode parent = ClusterNode.start(system, settings, CborSerializer.of(RemoteActorsTest.Msg.class))) {
                Process child = startChild(zookeeper.getConnectString());
                LinkedBlockingQueue<String> lines = reader(child);
                try {
                    String[] address = next(lines, "@@address").split(" ");
                    ActorAddress first = new ActorAddress("child", Long.parseLong(address[1]), Integer.parseInt(address[2]),
                            Long.parseLong(address[3]));
                    await(() -> parent.members().size() == 2, "the child as a member");

                    signal(child, "STOP");
                    await(() -> parent.members().size() == 1, "the paused child gone for the parent");
                    ActorRef<RemoteActorsTest.Msg> old = parent.refFor(first);
                    old.tell(new RemoteActorsTest.Text("to the paused child"));
                    await(() -> parent.deadLetters() == 1, "a dead letter");

                    signal(child, "CONT");
                    assertTrue(next(lines, "@@state DOWN").startsWith("@@state DOWN"), "the child learns it is down");
                    long again = Long.parseLong(next(lines, "@@state UP").split(" ")[2]);
                    assertTrue(again > first.incarnation(), "a new incarnation: " + again + " after " + first.incarnation());
                    await(() -> parent.members().size() == 2 && parent.members().stream().anyMatch(m -> m.incarnation() == again),
                            "the child back as incarnation " + again);
                    old.tell(new RemoteActorsTest.Text("to the old incarnation"));
                    await(() -> parent.deadLetters() == 2, "a second dead letter");

                    child.destroyForcibly();   // SIGKILL
                    await(() -> parent.members().size() == 1, "the killed child gone");
                } finally {
                    child.destroyForcibly();
                    child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Process startChild(String zookeeper) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), NodeMain.class.getName(),
                zookeeper, "child"));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static LinkedBlockingQueue<String> reader(Process child) {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = child.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("reading the child failed: " + e);
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /** The next line that starts with {@code prefix}, skipping others (the child's log, where the JVM warns nothing). */
    private static String next(LinkedBlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        List<String> skipped = new ArrayList<>();
        for (;;) {
            for (String line : skipped) {
                assertTrue(!line.startsWith("WARNING:"), "the child JVM warned: " + line);
            }
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                return fail("no line starting with " + prefix + " within " + WAIT_SECONDS + " s; the child said:\n"
                        + String.join("\n", skipped));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            skipped.add(line);
        }
    }

    private static void signal(Process child, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start();
        assertTrue(kill.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + WAIT_SECONDS + " s");
            }
            Thread.sleep(20);
        }
    }
}
