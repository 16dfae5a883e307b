package dev.atoll.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server whose shard dies ends the process, with {@link ServerLifecycle#EXIT_SHARD_DIED}, within a
 * bound: the cause is logged, the other shards stop, and open connections are closed rather than
 * left hanging. The server is the http example in a child JVM ({@link CrashingHttpServer}).
 */
class ShardDeathTest {
    /** The stop after a death does not wait out the other shards' shutdown timeout (set to 30 s here). */
    private static final long EXIT_BOUND_SECONDS = 10;
    private static final String REQUEST = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n";

    private static ServerProcess start() throws Exception {
        return ServerProcess.start("", List.of("-Datoll.shards.shutdown-timeout=30s"), CrashingHttpServer.class,
                "--port", "0", "--shards", "2");
    }

    /** Keep-alive connections that have each been answered once (spread over both shards by the kernel). */
    private static List<Socket> connect(int port, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(EXIT_BOUND_SECONDS + 5));
            OutputStream out = socket.getOutputStream();
            out.write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] head = socket.getInputStream().readNBytes(12);
            assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII));
            sockets.add(socket);
        }
        return sockets;
    }

    /** True when the peer closed the connection (end of stream or reset), false when the read timed out. */
    private static boolean closedByServer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // the rest of the earlier response
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static void assertExitsForTheDeath(ServerProcess server, long startNanos) throws Exception {
        assertTrue(server.awaitExit(EXIT_BOUND_SECONDS),
                () -> "still running " + EXIT_BOUND_SECONDS + " s after a shard died; output:\n" + server.output());
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("ShardDeathTest: exited %d %.2f s after the crash was asked for%n",
                server.process().exitValue(), seconds);
        assertEquals(ServerLifecycle.EXIT_SHARD_DIED, server.process().exitValue(), server::output);
        String output = server.output();
        assertTrue(output.contains("test crash of shard 1"), () -> "the cause is logged:\n" + output);
        assertTrue(output.contains("shard 1 died"), () -> "the exit is explained:\n" + output);
    }

    @Test
    void aDeadShardEndsTheProcessWithItsExitCodeAndClosesConnections() throws Exception {
        try (ServerProcess server = start()) {
            List<Socket> clients = connect(server.port(), 8);
            long asked = System.nanoTime();
            server.send("crash 1");
            assertExitsForTheDeath(server, asked);
            for (Socket client : clients) {
                assertTrue(closedByServer(client), "a connection was left open");
                client.close();
            }
        }
    }

    @Test
    void sigtermAfterADeathStillExitsPromptlyWithTheDeathsCode() throws Exception {
        try (ServerProcess server = start()) {
            long asked = System.nanoTime();
            server.send("crash 1");
            assertNotNull(server.awaitLine(line -> line.contains("shard 1 stopped: its loop ended"), EXIT_BOUND_SECONDS),
                    server::output);
            server.process().toHandle().destroy(); // SIGTERM (Process.destroy would close the output pipe too)
            assertExitsForTheDeath(server, asked);
        }
    }
}
