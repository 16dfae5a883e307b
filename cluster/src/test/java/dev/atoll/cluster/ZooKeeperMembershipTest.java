package dev.atoll.cluster;

import dev.atoll.config.AtollConfig;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Membership against a real ZooKeeper server (curator-test), on loopback. */
class ZooKeeperMembershipTest {
    private TestingServer server;
    private final List<ZooKeeperMembership> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = startServer();
    }

    /** A real ZooKeeper server on a free loopback port; its 100 ms tick lets sessions be as short as 200 ms. */
    static TestingServer startServer() throws Exception {
        return new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 100, -1, null, "127.0.0.1"), true);
    }

    @AfterEach
    void stop() throws Exception {
        // The newest first: a node that started the embedded server stops it when it closes.
        nodes.reversed().forEach(ZooKeeperMembership::close);
        server.close();
    }

    private ZooKeeperMembership node(String name) {
        ClusterSettings settings = settings("zookeeper = \"" + server.getConnectString() + "\"").withNodeName(name);
        ZooKeeperMembership node = ZooKeeperMembership.start(settings);
        nodes.add(node);
        return node;
    }

    private static ClusterSettings settings(String hocon) {
        return ClusterSettings.from(AtollConfig.parse("atoll.cluster { path = \"/atoll/test\", session-timeout = 1s, "
                + "connect-timeout = 5s, " + hocon + " }", "test"));
    }

    private static Member join(MembershipProvider node, int port) throws Exception {
        return node.join("127.0.0.1", port, 2).get(20, TimeUnit.SECONDS);
    }

    @Test
    void nodesSeeEachOtherJoinAndLeave() throws Exception {
        ZooKeeperMembership a = node("a");
        MembershipRecorder seenByA = new MembershipRecorder(a);
        Member selfA = join(a, 7001);
        assertEquals(new Member("a", "127.0.0.1", 7001, 2, selfA.incarnation()), selfA);
        assertTrue(a.isMember());

        ZooKeeperMembership b = node("b");
        Member selfB = join(b, 7002);
        assertTrue(selfB.incarnation() > selfA.incarnation(), "incarnations grow: " + selfA + ", " + selfB);
        List<Member> both = seenByA.awaitNames("a", "b");
        assertEquals(List.of(selfA, selfB), both, "ordered by incarnation, with what each advertised");
        assertEquals(both, new MembershipRecorder(b).awaitNames("a", "b"));

        b.close();
        assertEquals(SelfState.LEFT, b.state());
        assertEquals(List.of(selfA), seenByA.awaitNames("a"), "a clean leave is seen at once, not after the session timeout");
    }

    @Test
    void anExpiredSessionIsDownForEveryoneAndRejoinsAsANewIncarnation() throws Exception {
        ZooKeeperMembership a = node("a");
        ZooKeeperMembership b = node("b");
        join(a, 7001);
        Member firstB = join(b, 7002);
        MembershipRecorder seenByA = new MembershipRecorder(a);
        MembershipRecorder seenByB = new MembershipRecorder(b);
        seenByA.awaitNames("a", "b");
        seenByB.awaitNames("a", "b");

        expireSession(b);

        // b itself learns it lost its membership, and is not a member while it is down.
        MembershipRecorder.Self down = seenByB.await(MembershipRecorder.Self.class, s -> s.state() == SelfState.DOWN, "DOWN");
        assertFalse(down.isMemberDuringCall());
        // Everyone else sees the old incarnation gone, then b back as a new one.
        assertEquals(List.of("a"), seenByA.awaitNames("a").stream().map(Member::name).toList());
        MembershipRecorder.Self up = seenByB.await(MembershipRecorder.Self.class, s -> s.state() == SelfState.UP, "UP again");
        assertTrue(up.self().incarnation() > firstB.incarnation(), "a new incarnation: " + up.self() + " after " + firstB);
        // UP comes with the member list already read: a tell right after it must not find the list still empty.
        assertEquals(List.of("a", "b"), up.membersDuringCall().stream().map(Member::name).sorted().toList(),
                "the members known when b is told it is UP again");
        List<Member> again = seenByA.awaitNames("a", "b");
        assertEquals(up.self(), again.get(1));
        assertNotEquals(firstB, again.get(1));
        assertTrue(b.isMember());
    }

    /** Ends {@code node}'s session on the server, as a session timeout would: its ephemeral znode goes. */
    private void expireSession(ZooKeeperMembership node) throws Exception {
        expireSession(node, server.getConnectString());
    }

    /** Ends {@code node}'s session on the server at {@code connectString}, as a session timeout would. */
    static void expireSession(ZooKeeperMembership node, String connectString) throws Exception {
        ZooKeeper current = node.curator().getZookeeperClient().getZooKeeper();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(connectString, 1_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, current.getSessionId(), current.getSessionPasswd());
        assertTrue(connected.await(10, TimeUnit.SECONDS), "the twin client connected");
        twin.close();   // closes the shared session on the server
    }

    @Test
    void anUnreachableZooKeeperIsAClearErrorAtJoin() throws Exception {
        int closedPort = server.getPort();
        server.close();
        ClusterSettings settings = settings("zookeeper = \"127.0.0.1:" + closedPort + "\", connect-timeout = 300ms")
                .withNodeName("lonely");
        ZooKeeperMembership node = ZooKeeperMembership.start(settings);
        nodes.add(node);
        ExecutionException e = assertThrows(ExecutionException.class, () -> join(node, 7001));
        ClusterException cause = assertInstanceOf(ClusterException.class, e.getCause());
        assertTrue(cause.getMessage().contains("127.0.0.1:" + closedPort) && cause.getMessage().contains("unreachable"),
                cause.getMessage());
        assertFalse(node.isMember());
        server = new TestingServer(false);   // for @AfterEach
    }

    @Test
    void embeddedStartsItsOwnServerThatOtherNodesCanUse() throws Exception {
        ZooKeeperMembership first = ZooKeeperMembership.start(settings("zookeeper = embedded").withNodeName("first"));
        nodes.add(first);
        join(first, 7001);
        ZooKeeperMembership second = ZooKeeperMembership.start(
                settings("zookeeper = \"" + first.connectString() + "\"").withNodeName("second"));
        nodes.add(second);
        join(second, 7002);
        new MembershipRecorder(second).awaitNames("first", "second");
        assertTrue(first.connectString().startsWith("127.0.0.1:"), first.connectString());
    }

    @Test
    void aListenerThatThrowsChangesNothingElse() throws Exception {
        ZooKeeperMembership a = node("a");
        a.subscribe(new MembershipListener() {
            @Override
            public void onMembers(List<Member> members) {
                throw new IllegalStateException("a listener's bug");
            }
        });
        MembershipRecorder after = new MembershipRecorder(a);
        join(a, 7001);
        after.awaitNames("a");
        assertTrue(a.isMember());
    }

}
