package dev.atoll.io;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.atoll.config.DriverKind;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 8,000 idle connections (from a client in a separate process) cost bounded memory: on the heap a small
 * budget each, and off the heap nothing (a receive waiting for data holds no buffer); all of them are
 * served, then closed, leaving no buffer out.
 * {@code -Datolltest.idle.connections=N} scales it.
 */
class IdleConnectionsTest {
    /** Heap per idle connection allowed: its objects (connection, two operations, receiver, buffer header, table entries) take well under 1 KiB; the rest is measurement slack. */
    private static final long HEAP_BUDGET_PER_CONNECTION = 4 * 1024;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            IoTesting.closeQuietly(cleanup.get(i));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void eightThousandIdleConnectionsCostBoundedMemory(DriverKind driver) throws Exception {
        int count = Integer.getInteger("atolltest.idle.connections", 8_000);
        long maxFds = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
        Assumptions.assumeTrue(maxFds >= count + 1_000, "this JVM may open only " + maxFds + " descriptors");
        ShardRuntime runtime = TestRuntimes.start(2, "", driver);
        cleanup.add(runtime);
        CountDownLatch ended = new CountDownLatch(count);
        TcpServer server = IoTesting.await(TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0),
                connection -> connection.receive(new IoTesting.EchoReceiver() {
                    @Override
                    public void onEnd(Connection c, Throwable failure) {
                        super.onEnd(c, failure);
                        ended.countDown();
                    }
                })));
        cleanup.add(() -> server.close().get(IoTesting.WAIT, TimeUnit.SECONDS));
        long heapBefore = usedHeapAfterGc();

        ChildProcess clients = ChildProcess.start(0, IdleClientsMain.class.getName(), "127.0.0.1",
                String.valueOf(server.port()), String.valueOf(count));
        cleanup.add(clients);
        assertEquals("CONNECTED " + count, clients.answer(), clients.output());
        IoTesting.eventually("the server accepts all " + count, () -> server.accepted() == count);
        assertEquals(count, server.openConnections(0) + server.openConnections(1));

        long heapPerConnection = (usedHeapAfterGc() - heapBefore) / count;
        List<BufferPool.Stats> pools = IoTesting.poolStats(runtime);
        long inUse = pools.stream().mapToLong(BufferPool.Stats::heldByApplication).sum();
        long inUseBytes = pools.stream().mapToLong(BufferPool.Stats::inUseBytes).sum();
        long slabBytes = pools.stream().mapToLong(BufferPool.Stats::slabBytes).sum();
        System.out.printf("IdleConnectionsTest[%s]: %d idle connections: heap %d B each, pool %d buffers out "
                        + "(%d B each, %d MiB in slabs over %d shards)%n", driver.displayName(), count, heapPerConnection,
                inUse, inUseBytes / Math.max(1, inUse), slabBytes >> 20, pools.size());
        assertTrue(heapPerConnection < HEAP_BUDGET_PER_CONNECTION, heapPerConnection + " B of heap per idle connection");
        assertEquals(0, inUse, "an idle connection holds no buffer");
        // inUseBytes is what the kernel's receive rings hold on io_uring (a fixed set per shard), else 0.
        assertTrue(slabBytes <= (long) pools.size() * 1024 * 1024 + inUseBytes, "slabs " + slabBytes
                + " B for idle connections: at most one slab per shard beyond the kernel's receive ring");

        assertEquals("ECHOED " + count, clients.ask("echo"), "every idle connection is served");
        IoTesting.eventually("the echo buffers go back", () -> IoTesting.poolStats(runtime).stream()
                .mapToLong(BufferPool.Stats::heldByApplication).sum() == 0);

        assertEquals("CLOSED", clients.ask("close"));
        TestRuntimes.awaitLatch(ended);
        IoTesting.eventually("the server closes them all", () -> server.openConnections(0) + server.openConnections(1) == 0);
        IoTesting.eventually("no buffer left out", () -> IoTesting.poolStats(runtime).stream()
                .mapToLong(BufferPool.Stats::heldByApplication).sum() == 0);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
