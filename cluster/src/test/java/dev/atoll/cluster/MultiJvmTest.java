package dev.atoll.cluster;

import dev.atoll.actors.ActorRef;
import dev.atoll.actors.ActorSystem;
import dev.atoll.cluster.demo.ChildJvm;
import dev.atoll.config.AtollConfig;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A node in another JVM, paused past its session timeout (SIGSTOP), resumed — what it sends at once,
 * before it learns that it lost its membership, does not arrive — then killed (SIGKILL).
 */
class MultiJvmTest {
    private static final long WAIT_SECONDS = 30;

    @Test
    void aPausedNodeIsDownForEveryoneComesBackAsANewIncarnationAndAKilledOneLeaves() throws Exception {
        try (TestingServer zookeeper = ZooKeeperMembershipTest.startServer();
             ActorSystem system = ActorSystem.start(AtollConfig.parse("atoll.shards { count = 1, pin = false }", "test"))) {
            ClusterSettings settings = ClusterSettings.from(AtollConfig.parse("atoll.cluster { zookeeper = \""
                    + zookeeper.getConnectString() + "\", path = \"/atoll/multi\", session-timeout = 1s, node-name = parent }", "test"));
            try (ClusterNode parent = ClusterNode.start(system, settings, CborSerializer.of(RemoteActorsTest.Msg.class))) {
                LinkedBlockingQueue<RemoteActorsTest.Msg> received = new LinkedBlockingQueue<>();
                ActorAddress collector = parent.export(system.spawn(() -> new RemoteActorsTest.Collector(received)));
                String tellCollector = "tell parent " + collector.incarnation() + " " + collector.shard() + " " + collector.id() + " ";
                try (ChildJvm child = ChildJvm.start("child", Duration.ofSeconds(WAIT_SECONDS), ChildJvm.java(
                        List.of("--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1"), NodeMain.class,
                        List.of(zookeeper.getConnectString(), "child")))) {
                    String[] address = next(child, "@@address").split(" ");
                    ActorAddress first = new ActorAddress("child", Long.parseLong(address[1]), Integer.parseInt(address[2]),
                            Long.parseLong(address[3]));
                    assertEquals("@@state UP " + first.incarnation(), next(child, "@@state"), "the child sees itself up");
                    await(() -> parent.members().size() == 2, "the child as a member");

                    signal(child.process(), "STOP");
                    await(() -> parent.members().size() == 1, "the paused child gone for the parent");
                    ActorRef<RemoteActorsTest.Msg> old = parent.refFor(first);
                    old.tell(new RemoteActorsTest.Text("to the paused child"));
                    await(() -> parent.deadLetters() == 1, "a dead letter");

                    // Read as soon as it resumes, maybe before it learns that its session expired: it must not reach the parent.
                    child.send(tellCollector + "zombie");
                    signal(child.process(), "CONT");
                    System.out.println("the resumed child: " + next(child, "@@told zombie"));
                    assertTrue(next(child, "@@state DOWN").startsWith("@@state DOWN"), "the child learns it is down");
                    long again = Long.parseLong(next(child, "@@state UP").split(" ")[2]);
                    assertTrue(again > first.incarnation(), "a new incarnation: " + again + " after " + first.incarnation());
                    await(() -> parent.members().size() == 2 && parent.members().stream().anyMatch(m -> m.incarnation() == again),
                            "the child back as incarnation " + again);
                    old.tell(new RemoteActorsTest.Text("to the old incarnation"));
                    await(() -> parent.deadLetters() == 2, "a second dead letter");
                    child.send(tellCollector + "alive");   // the new incarnation reaches the parent
                    next(child, "@@told alive");
                    assertEquals(new RemoteActorsTest.Text("alive"), received.poll(WAIT_SECONDS, TimeUnit.SECONDS),
                            "the first message the parent received from the child");
                    assertNull(received.poll(300, TimeUnit.MILLISECONDS), "a message from the paused incarnation arrived");
                    assertEquals(1, parent.received());

                    child.process().destroyForcibly();   // SIGKILL
                    await(() -> parent.members().size() == 1, "the killed child gone");
                }
            }
        }
    }

    /** The child's next answer that starts with {@code prefix}; the JVM warned nothing before it. */
    private static String next(ChildJvm child, String prefix) throws InterruptedException {
        String line = child.expect(prefix);
        for (String logged : child.log()) {
            assertTrue(!logged.startsWith("WARNING:"), "the child JVM warned: " + logged);
        }
        return line;
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
