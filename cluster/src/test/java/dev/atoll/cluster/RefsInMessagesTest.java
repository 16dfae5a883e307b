package dev.atoll.cluster;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.Placement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link ActorRef}s inside messages between nodes (three in this JVM, a real ZooKeeper): each arrives
 * as a working reference — remote to the sender's actors, local to the receiver's own, remote to a
 * third node's — also inside a list, and a reference to an actor that stopped leads to a dead letter.
 */
class RefsInMessagesTest {
    private TestCluster cluster;

    public sealed interface Proto permits Start, Request, Answer, Forward, Hold, Release, Broadcast {
    }

    /** To a {@link Client}, locally: send a {@link Request} with yourself as the reply-to to {@code server}. */
    record Start(ActorRef<Proto> server, int n) implements Proto {
    }

    /** Answer {@code n} to {@code replyTo}. */
    record Request(int n, ActorRef<Proto> replyTo) implements Proto {
    }

    record Answer(int n) implements Proto {
    }

    /** Pass {@code request}, reply-to and all, on to {@code to}. */
    record Forward(ActorRef<Proto> to, Request request) implements Proto {
    }

    /** Keep {@code request} until {@link Release}. */
    record Hold(Request request) implements Proto {
    }

    record Release() implements Proto {
    }

    /** Tell {@code Answer(n)} to every one of {@code targets}. */
    record Broadcast(int n, List<ActorRef<Proto>> targets) implements Proto {
    }

    /** Sends requests with itself as the reply-to; puts the answers where the test reads them. */
    static final class Client extends Actor<Proto> {
        private final LinkedBlockingQueue<Object> answers;

        Client(LinkedBlockingQueue<Object> answers) {
            this.answers = answers;
        }

        @Override
        protected void receive(Proto message) {
            switch (message) {
                case Start(ActorRef<Proto> server, int n) -> server.tell(new Request(n, self()));
                default -> answers.add(message);
            }
        }
    }

    /** Answers, forwards, holds and broadcasts; puts each reference it got where the test reads it. */
    static final class Server extends Actor<Proto> {
        private final LinkedBlockingQueue<Object> seen;
        private final List<Request> held = new ArrayList<>();

        Server(LinkedBlockingQueue<Object> seen) {
            this.seen = seen;
        }

        @Override
        protected void receive(Proto message) {
            switch (message) {
                case Request(int n, ActorRef<Proto> replyTo) -> {
                    seen.add(replyTo);
                    replyTo.tell(new Answer(n));
                }
                case Forward(ActorRef<Proto> to, Request request) -> {
                    seen.add(request.replyTo());
                    to.tell(request);
                }
                case Hold(Request request) -> held.add(request);
                case Release() -> {
                    held.forEach(r -> r.replyTo().tell(new Answer(r.n())));
                    held.clear();
                    seen.add("released");
                }
                case Broadcast(int n, List<ActorRef<Proto>> targets) -> {
                    seen.add(targets);
                    targets.forEach(t -> t.tell(new Answer(n)));
                }
                default -> seen.add(message);
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster("/atoll/refs", CborSerializer.of(Proto.class));
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private static Object take(LinkedBlockingQueue<Object> queue) throws InterruptedException {
        Object value = queue.poll(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS);
        if (value == null) {
            fail("nothing within " + TestCluster.WAIT_SECONDS + " s");
        }
        return value;
    }

    /** Nodes named {@code names}, each seeing all of them as members. */
    private ClusterNode[] joined(String... names) throws InterruptedException {
        ClusterNode[] nodes = new ClusterNode[names.length];
        for (int i = 0; i < names.length; i++) {
            nodes[i] = cluster.node(names[i]);
        }
        TestCluster.awaitMembers(names.length, nodes);
        return nodes;
    }

    private static ActorRef<Proto> client(ClusterNode node, int shard, LinkedBlockingQueue<Object> answers) {
        return node.system().spawn(() -> new Client(answers), Placement.shard(shard));
    }

    private static ActorRef<Proto> server(ClusterNode node, int shard, LinkedBlockingQueue<Object> seen) {
        return node.system().spawn(() -> new Server(seen), Placement.shard(shard));
    }

    @Test
    void aReplyToRefFromNodeAArrivesAtBAsARemoteRefThatReachesA() throws Exception {
        ClusterNode[] nodes = joined("a", "b");
        ClusterNode a = nodes[0];
        ClusterNode b = nodes[1];
        LinkedBlockingQueue<Object> seenOnB = new LinkedBlockingQueue<>();
        ActorRef<Proto> serverOnB = a.refFor(b.export(server(b, 1, seenOnB)));
        LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        ActorRef<Proto> clientOnA = client(a, 0, answers);

        clientOnA.tell(new Start(serverOnB, 7));   // A's actor sends Request(7, self) to B

        assertEquals(new Answer(7), take(answers));
        RemoteRef<?> replyTo = assertInstanceOf(RemoteRef.class, take(seenOnB));
        assertEquals(a.export(clientOnA), replyTo.address());
        // Sent again, the same actor gives the same address, so B holds one reference object for it.
        clientOnA.tell(new Start(serverOnB, 8));
        assertEquals(new Answer(8), take(answers));
        assertSame(replyTo, take(seenOnB));
    }

    @Test
    void aRefToAnActorOfTheReceivingNodeArrivesAsThatLocalRef() throws Exception {
        ClusterNode[] nodes = joined("a", "b");
        ClusterNode a = nodes[0];
        ClusterNode b = nodes[1];
        LinkedBlockingQueue<Object> seenOnB = new LinkedBlockingQueue<>();
        ActorRef<Proto> serverOnB = a.refFor(b.export(server(b, 1, seenOnB)));
        LinkedBlockingQueue<Object> answersOnB = new LinkedBlockingQueue<>();
        ActorRef<Proto> clientOnB = client(b, 0, answersOnB);
        ActorRef<Proto> clientOnBSeenFromA = a.refFor(b.export(clientOnB));
        assertInstanceOf(RemoteRef.class, clientOnBSeenFromA);

        serverOnB.tell(new Request(3, clientOnBSeenFromA));   // from A, a remote ref to B's own actor

        assertSame(clientOnB, take(seenOnB));
        assertEquals(new Answer(3), take(answersOnB));
    }

    @Test
    void aRefForwardedToAThirdNodeStaysRemoteToItsOwnNode() throws Exception {
        ClusterNode[] nodes = joined("a", "b", "c");
        ClusterNode a = nodes[0];
        ClusterNode b = nodes[1];
        ClusterNode c = nodes[2];
        LinkedBlockingQueue<Object> seenOnB = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Object> seenOnC = new LinkedBlockingQueue<>();
        ActorRef<Proto> serverOnB = a.refFor(b.export(server(b, 0, seenOnB)));
        ActorRef<Proto> serverOnCSeenFromA = a.refFor(c.export(server(c, 1, seenOnC)));
        LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        ActorRef<Proto> clientOnA = client(a, 1, answers);

        // A asks B to pass a request on to C: both refs travel A -> B, the request's again B -> C.
        serverOnB.tell(new Forward(serverOnCSeenFromA, new Request(5, clientOnA)));

        assertEquals(new Answer(5), take(answers));
        ActorAddress clientAddress = a.export(clientOnA);
        assertEquals(clientAddress, assertInstanceOf(RemoteRef.class, take(seenOnB)).address());
        RemoteRef<?> onC = assertInstanceOf(RemoteRef.class, take(seenOnC));
        assertEquals(clientAddress, onC.address(), "C's reference points at A's actor, not at B");
        assertSame(c.refFor(clientAddress), onC);
    }

    @Test
    void aRefToAnActorThatStoppedMeetsADeadLetterOnItsNode() throws Exception {
        ClusterNode[] nodes = joined("a", "b");
        ClusterNode a = nodes[0];
        ClusterNode b = nodes[1];
        LinkedBlockingQueue<Object> seenOnB = new LinkedBlockingQueue<>();
        ActorRef<Proto> serverOnB = a.refFor(b.export(server(b, 0, seenOnB)));
        LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        ActorRef<Proto> clientOnA = client(a, 1, answers);
        ActorRef<Proto> liveClientOnA = client(a, 0, answers);

        serverOnB.tell(new Hold(new Request(1, clientOnA)));
        a.system().stop(clientOnA);
        a.system().terminationOf(clientOnA).get(TestCluster.WAIT_SECONDS, TimeUnit.SECONDS);
        long deadBefore = a.deadLetters();
        serverOnB.tell(new Hold(new Request(2, liveClientOnA)));   // after the stopped one: a barrier
        serverOnB.tell(new Release());

        assertEquals("released", take(seenOnB));
        assertEquals(new Answer(2), take(answers));
        TestCluster.await(() -> a.deadLetters() == deadBefore + 1, "the answer to the stopped actor counted as a dead letter on a");
        assertNull(answers.poll(100, TimeUnit.MILLISECONDS), "an answer reached a stopped actor");
        // Its address is forgotten: exported again (it is stopped), it gets a new id, which is as dead.
        assertTrue(a.export(clientOnA).id() > a.export(liveClientOnA).id());
    }

    @Test
    void refsInsideAListTravelAsRefs() throws Exception {
        ClusterNode[] nodes = joined("a", "b", "c");
        ClusterNode a = nodes[0];
        ClusterNode b = nodes[1];
        ClusterNode c = nodes[2];
        LinkedBlockingQueue<Object> seenOnB = new LinkedBlockingQueue<>();
        ActorRef<Proto> serverOnB = a.refFor(b.export(server(b, 1, seenOnB)));
        LinkedBlockingQueue<Object> onA = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Object> onB = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Object> onC = new LinkedBlockingQueue<>();
        ActorRef<Proto> clientOnA = client(a, 0, onA);
        ActorRef<Proto> clientOnB = client(b, 0, onB);
        ActorRef<Proto> clientOnC = client(c, 1, onC);

        serverOnB.tell(new Broadcast(9, List.of(clientOnA, a.refFor(b.export(clientOnB)), a.refFor(c.export(clientOnC)))));

        List<?> targets = assertInstanceOf(List.class, take(seenOnB));
        assertEquals(3, targets.size());
        assertEquals(a.export(clientOnA), assertInstanceOf(RemoteRef.class, targets.get(0)).address());
        assertSame(clientOnB, targets.get(1));
        assertEquals(c.export(clientOnC), assertInstanceOf(RemoteRef.class, targets.get(2)).address());
        assertEquals(new Answer(9), take(onA));
        assertEquals(new Answer(9), take(onB));
        assertEquals(new Answer(9), take(onC));
    }

    @Test
    void aRefInsideAShardedEntitysMessageReachesTheSenderFromTheOwner() throws Exception {
        ClusterNode[] nodes = joined("a", "b");
        ClusterNode a = nodes[0];
        ClusterNode b = nodes[1];
        // Each entity answers its requests; the type runs on both nodes, so some keys are b's.
        ClusterSharded<Proto> onA = ClusterSharded.start(a, "answering", key -> request -> {
            Request r = (Request) request;
            r.replyTo().tell(new Answer(r.n()));
        });
        ClusterSharded.start(b, "answering", key -> request -> {
            Request r = (Request) request;
            r.replyTo().tell(new Answer(r.n()));
        });
        LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        ActorRef<Proto> clientOnA = client(a, 1, answers);
        int keys = 20;
        int onB = 0;
        for (int i = 0; i < keys; i++) {
            String key = "key-" + i;
            if (onA.ownerOf(key).member().name().equals("b")) {
                onB++;
            }
            onA.tell(key, new Request(i, clientOnA));
        }
        assertTrue(onB > 0 && onB < keys, onB + " of " + keys + " keys owned by b");
        java.util.Set<Object> got = new java.util.HashSet<>();
        for (int i = 0; i < keys; i++) {
            got.add(take(answers));
        }
        for (int i = 0; i < keys; i++) {
            assertTrue(got.contains(new Answer(i)), "no answer " + i + " in " + got);
        }
    }

    @Test
    void aRefCannotTravelWithoutANodeNorFromAnotherSystem() throws Exception {
        ClusterNode[] nodes = joined("a", "b");
        ClusterNode a = nodes[0];
        ClusterNode b = nodes[1];
        ActorRef<Proto> clientOnB = client(b, 0, new LinkedBlockingQueue<>());
        Serializer serializer = CborSerializer.of(Proto.class);
        assertThrows(SerializationException.class, () -> serializer.toBytes(new Request(1, clientOnB)));
        ActorRef<Proto> serverOnB = a.refFor(b.export(server(b, 1, new LinkedBlockingQueue<>())));
        // An actor of b's system handed to a's reference as if it were a's: refused at tell, not exported.
        SerializationException e = assertThrows(SerializationException.class, () -> serverOnB.tell(new Request(1, clientOnB)));
        assertTrue(e.getMessage().contains("another actor system"), e.getMessage());
    }
}
