package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.ShardRuntime;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static dev.atoll.io.IoTesting.awaitPromise;
import static dev.atoll.io.IoTesting.onShard;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Listener accepting when callers come late: on io_uring one multishot accept takes connections while
 * nobody waits (queued, then paused), on readiness drivers the kernel's backlog keeps them; either way
 * each is accepted once, in order, and closing leaves no descriptor behind.
 */
class ListenerTest {
    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void connectionsArrivingWhileNobodyAcceptsAreTakenLaterEachOnce(DriverKind driver) throws IOException {
        ShardRuntime runtime = cleanup.start(1, "", driver);
        Listener listener = onShard(runtime, 0, () -> Listener.bind(new InetSocketAddress("127.0.0.1", 0)));
        // One accept arms the multishot (io_uring); then 40 clients arrive with nobody accepting: more than
        // the listener queues before it pauses the kernel.
        IoTesting.Accepted first = IoTesting.accept(cleanup, runtime, listener);
        echo(runtime, first.server());
        IoTesting.assertEchoes(first.peer(), "first");
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Socket client = cleanup.add(new Socket("127.0.0.1", listener.port()));
            client.setSoTimeout((int) IoTesting.WAIT * 1000);
            clients.add(client);
        }
        for (int i = 0; i < clients.size(); i++) {
            Connection connection = awaitPromise(runtime, 0, listener::accept);
            echo(runtime, connection);
            assertEquals(clients.get(i).getLocalPort(),
                    ((InetSocketAddress) onShard(runtime, 0, connection::remoteAddress)).getPort(), "in arrival order");
            IoTesting.assertEchoes(clients.get(i), "client " + i);
        }
        // 10 more that nobody accepts, then close: queued ones are closed too, so every client sees an end.
        int descriptorsBefore = IoTesting.openDescriptors();
        List<Socket> unaccepted = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Socket client = cleanup.add(new Socket("127.0.0.1", listener.port()));
            client.setSoTimeout((int) IoTesting.WAIT * 1000);
            unaccepted.add(client);
        }
        onShard(runtime, 0, () -> {
            listener.close();
            return null;
        });
        for (Socket client : unaccepted) {
            IoTesting.drain(client.getInputStream());
            client.close();
        }
        IoTesting.eventually("the listener's queued descriptors are closed",
                () -> IoTesting.openDescriptors() <= descriptorsBefore - 1);
    }

    private static void echo(ShardRuntime runtime, Connection connection) {
        onShard(runtime, 0, () -> {
            connection.receive(new IoTesting.EchoReceiver());
            return null;
        });
    }
}
