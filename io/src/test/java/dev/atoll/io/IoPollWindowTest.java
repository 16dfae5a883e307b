package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.ShardRuntime;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code atoll.shards.idle.io-poll-window}: a shard that completed I/O a moment ago polls instead of
 * sleeping, so a client that sends its next request soon does not cost the shard a sleep and a wake-up.
 * Counted by the shard's sleeps over round trips a millisecond apart.
 */
class IoPollWindowTest {
    private static final int ROUND_TRIPS = 40;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private long sleepsOverRoundTrips(DriverKind driver, String ioPollWindow) throws Exception {
        ShardRuntime runtime = cleanup.start(1, "atoll.shards.idle.io-poll-window = " + ioPollWindow, driver);
        TcpServer server = IoTesting.await(TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0), IoTesting.ECHO));
        cleanup.add(() -> server.close().get(IoTesting.WAIT, TimeUnit.SECONDS));
        Socket socket = new Socket("127.0.0.1", server.port());
        cleanup.add(socket);
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(IoTesting.WAIT));
        IoTesting.assertEchoes(socket, "first");   // accepted, receiving: every later completion is the exchange's
        long before = runtime.shard(0).stats().sleeps();
        for (int i = 0; i < ROUND_TRIPS; i++) {
            Thread.sleep(1);   // the client thinks between requests: the shard has nothing to do meanwhile
            IoTesting.assertEchoes(socket, "r" + i);
        }
        return runtime.shard(0).stats().sleeps() - before;
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void withAnIoPollWindowAShardThatJustDidIoDoesNotSleep(DriverKind driver) throws Exception {
        assertEquals(0, sleepsOverRoundTrips(driver, "1s"));
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void withoutOneItSleepsBetweenRequests(DriverKind driver) throws Exception {
        long sleeps = sleepsOverRoundTrips(driver, "0us");
        assertTrue(sleeps >= ROUND_TRIPS / 2, "sleeps over " + ROUND_TRIPS + " round trips a millisecond apart: " + sleeps);
    }
}
