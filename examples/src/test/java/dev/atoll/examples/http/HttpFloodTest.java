package dev.atoll.examples.http;

import dev.atoll.examples.Examples;
import dev.atoll.examples.ServerProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flood of connections beyond the descriptor limit, before the first request: the http example (a
 * child JVM as {@code ./atoll run http} starts it, under {@code ulimit -n}) runs out of descriptors,
 * keeps serving the connections it took, backs off accepting, and serves new connections once the
 * flood is gone.
 */
class HttpFloodTest {
    private static final int DESCRIPTORS = 160;
    private static final int FLOOD = 400;
    private static final String REQUEST = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String NO_ANSWER = "no answer (not accepted)";

    /** The status line of the answer to the request sent, or what happened instead. */
    private static String statusLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        try {
            for (int b; (b = in.read()) != '\r'; ) {
                if (b < 0) {
                    return "closed after \"" + line + "\"";
                }
                line.append((char) b);
            }
        } catch (SocketTimeoutException e) {
            return line.isEmpty() ? NO_ANSWER : "no more after \"" + line + "\"";
        }
        return line.toString();
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void aFloodBeyondTheDescriptorLimitLeavesTheServerServing() throws Exception {
        try (ServerProcess server = ServerProcess.start("ulimit -n " + DESCRIPTORS + " && exec", List.of(),
                Examples.class, "http", "--port", "0", "--shards", "2")) {
            List<Socket> flood = new ArrayList<>();
            try {
                for (int i = 0; i < FLOOD; i++) {
                    flood.add(connect(server.port()));   // the kernel completes them; the server takes what it can
                }
                assertNotNull(server.awaitLine(line -> line.contains("EMFILE"), 30),
                        () -> "the server never ran out of descriptors:\n" + server.output());
                // Which connections the server took is a race between the shards; it took about as many
                // as it had descriptors free (~100), and those are served while the flood holds.
                for (Socket socket : flood) {
                    socket.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                Map<String, Integer> outcomes = new TreeMap<>();
                for (Socket socket : flood) {
                    socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    outcomes.merge(statusLine(socket), 1, Integer::sum);
                }
                System.out.println("HttpFloodTest: " + FLOOD + " connections, " + DESCRIPTORS + " descriptors: " + outcomes);
                int served = outcomes.getOrDefault("HTTP/1.1 200 OK", 0);
                assertTrue(served >= 20 && served + outcomes.getOrDefault(NO_ANSWER, 0) == FLOOD,
                        () -> "answers to the flood: " + outcomes + "; server output:\n" + server.output());
            } finally {
                for (Socket socket : flood) {
                    socket.close();
                }
            }
            for (int i = 0; i < 20; i++) {
                try (Socket socket = connect(server.port())) {
                    socket.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
                    int n = i;
                    assertEquals("HTTP/1.1 200 OK", statusLine(socket),
                            () -> "connection " + n + " after the flood; server output:\n" + server.output());
                }
            }
            assertTrue(server.process().isAlive());
            String output = server.output();
            long logged = output.lines().filter(line -> line.contains("EMFILE")).count();
            assertTrue(logged == 1 || logged == 2, () -> "EMFILE is logged at most once a minute (by each shard "
                    + "that meets it at the same moment):\n" + output);
            assertTrue(!output.contains("loop ended"), () -> "a shard died:\n" + output);
        }
    }
}
