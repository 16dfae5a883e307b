package dev.atoll.cluster;

import dev.atoll.actors.ActorSystem;
import dev.atoll.config.AtollConfig;
import org.apache.curator.test.TestingServer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Nodes of one cluster in this JVM (an actor system each, two shards) on a real ZooKeeper server, closed together. */
final class TestCluster implements AutoCloseable {
    static final long WAIT_SECONDS = 20;

    private final TestingServer zookeeper;
    private final String path;
    private final Serializer serializer;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    TestCluster(String path, Serializer serializer) throws Exception {
        this.zookeeper = ZooKeeperMembershipTest.startServer();
        this.path = path;
        this.serializer = serializer;
    }

    String connectString() {
        return zookeeper.getConnectString();
    }

    /** A node named {@code name}, joined. */
    ClusterNode node(String name) {
        ActorSystem system = ActorSystem.start(AtollConfig.parse("atoll.shards { count = 2, pin = false }", "test"));
        toClose.add(system);
        ClusterNode node = ClusterNode.start(system, ClusterSettings.from(AtollConfig.parse("atoll.cluster { zookeeper = \""
                + zookeeper.getConnectString() + "\", path = \"" + path + "\", session-timeout = 2s, connect-timeout = 5s,"
                + " node-name = " + name + " }", "test")), serializer);
        toClose.add(node);
        return node;
    }

    /** Closes {@code node} now (a clean leave); its actor system stays up until the end. */
    void leave(ClusterNode node) {
        toClose.remove(node);
        node.close();
    }

    /** Waits (bounded) until every node in {@code nodes} sees exactly {@code count} members. */
    static void awaitMembers(int count, ClusterNode... nodes) throws InterruptedException {
        for (ClusterNode node : nodes) {
            await(() -> node.members().size() == count, count + " members seen by " + node);
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + WAIT_SECONDS + " s");
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        zookeeper.close();
    }
}
