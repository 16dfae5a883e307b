package dev.atoll.io;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.atoll.io.IoTesting.onShard;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buffer pools: size classes, the bound, statistics, and a long run that leaks nothing. */
class BufferPoolTest {
    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    void everyBufferIsAlignedToItsSizeUpToAPage() {
        BufferPool pool = new BufferPool(Thread.currentThread(), IoSettings.from(AtollConfig.defaults()), slab -> -1);
        for (int size : new int[] {512, 4096, 1024, 16384, 512, 2048, 65536, 4096}) {
            long address = pool.acquire(size).segment().address();
            assertEquals(0, address % Math.min(size, 4096), "a buffer of " + size + " bytes at " + address);
        }
    }

    @Test
    void aSlabIsRegisteredOnceAtItsFirstFileUseAndARefusalIsNotAskedAgain() {
        IoSettings settings = IoSettings.from(AtollConfig.defaults());
        List<MemorySegment> asked = new ArrayList<>();
        BufferPool pool = new BufferPool(Thread.currentThread(), settings, slab -> {
            asked.add(slab);
            return asked.size() == 1 ? 7 : -1; // the first slab gets index 7, the kernel refuses the next
        });
        int perSlab = settings.slabSize() / settings.bufferMaxSize();
        List<Buffer> firstSlab = new ArrayList<>();
        for (int i = 0; i < perSlab; i++) {
            firstSlab.add(pool.acquire(settings.bufferMaxSize()));
        }
        Buffer secondSlab = pool.acquire(settings.bufferMaxSize());
        assertEquals(List.of(), asked, "nothing is registered before a buffer takes part in file I/O");

        assertEquals(7, firstSlab.get(0).registeredIndex());
        assertEquals(7, firstSlab.get(perSlab - 1).registeredIndex());
        assertEquals(1, asked.size(), "one registration per slab");
        MemorySegment slab = asked.get(0);
        for (Buffer buffer : firstSlab) { // the registered memory covers every buffer cut from it
            long offset = buffer.segment().address() - slab.address();
            assertTrue(offset >= 0 && offset + buffer.capacity() <= slab.byteSize(), "buffer at " + offset);
        }
        assertEquals(settings.slabSize(), slab.byteSize());

        assertEquals(-1, secondSlab.registeredIndex());
        assertEquals(-1, secondSlab.registeredIndex());
        assertEquals(2, asked.size(), "a refused slab is not asked for again");
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void sizeClassesReuseAndStats(DriverKind driver) {
        ShardRuntime runtime = cleanup.start(1, "", driver);
        onShard(runtime, 0, () -> {
            BufferPool pool = BufferPool.current();
            Buffer tiny = pool.acquire(1);
            assertEquals(512, tiny.capacity(), "the smallest class is min-size");
            Buffer odd = pool.acquire(513);
            assertEquals(1024, odd.capacity(), "the next power of two");
            Buffer max = pool.acquire(64 * 1024);
            assertEquals(64 * 1024, max.capacity());
            assertThrows(IllegalArgumentException.class, () -> pool.acquire(64 * 1024 + 1));
            BufferPool.Stats stats = pool.stats();
            assertEquals(3, stats.inUse());
            assertEquals(512 + 1024 + 64 * 1024, stats.inUseBytes());
            assertEquals(1024 * 1024, stats.slabBytes(), "one slab so far");
            tiny.writeUtf8("data");
            long tinyAddress = tiny.segment().address();
            tiny.release();
            Buffer again = pool.acquire(100);
            // Its memory (in the debug mode the tests run with, under a new Buffer object).
            assertEquals(tinyAddress, again.segment().address(), "a released buffer is reused");
            assertEquals(0, again.readableBytes(), "and comes back empty");
            again.release();
            odd.release();
            max.release();
            stats = pool.stats();
            assertEquals(4, stats.acquired());
            assertEquals(4, stats.released());
            assertEquals(0, stats.inUse());
            assertEquals(0, stats.inUseBytes());
            return null;
        });
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void thePoolIsBoundedAndSaysSo(DriverKind driver) {
        ShardRuntime runtime = cleanup.start(1, "atoll.io.buffers { slab-size = 256KiB, max-bytes = 1MiB }", driver);
        onShard(runtime, 0, () -> {
            BufferPool pool = BufferPool.current();
            List<Buffer> all = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                all.add(pool.acquire(64 * 1024));
            }
            assertThrows(BufferPoolExhaustedException.class, () -> pool.acquire(64 * 1024));
            assertThrows(BufferPoolExhaustedException.class, () -> pool.acquire(1), "no slab left for any class");
            BufferPool.Stats stats = pool.stats();
            assertEquals(2, stats.exhausted());
            assertEquals(1024 * 1024, stats.slabBytes());
            assertEquals(16, stats.inUse());
            all.remove(0).release();
            all.add(pool.acquire(64 * 1024)); // the freed one
            all.forEach(Buffer::release);
            assertEquals(0, pool.stats().inUse());
            assertEquals(1024 * 1024, pool.stats().slabBytes(), "never above the bound");
            return null;
        });
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aLongRunLeaksNothing(DriverKind driver) throws Exception {
        ShardRuntime runtime = cleanup.start(2, "", driver);
        TcpServer server = IoTesting.await(TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0), IoTesting.ECHO));
        cleanup.add(() -> server.close().get(IoTesting.WAIT, TimeUnit.SECONDS));
        ExecutorService clients = Executors.newFixedThreadPool(8);
        cleanup.add(clients::shutdownNow);
        int rounds = Integer.getInteger("atolltest.leak.rounds", 150);
        runClients(clients, server.port(), rounds, 1);
        List<BufferPool.Stats> afterFirst = awaitIdle(runtime, server);
        runClients(clients, server.port(), rounds, 2);
        List<BufferPool.Stats> afterSecond = awaitIdle(runtime, server);
        long acquired = 0;
        boolean kernelRings = false;
        for (int shard = 0; shard < 2; shard++) {
            BufferPool.Stats first = afterFirst.get(shard);
            BufferPool.Stats second = afterSecond.get(shard);
            assertEquals(0, second.heldByApplication(), "shard " + shard + ": " + second);
            assertEquals(first.inUseBytes(), second.inUseBytes(), "only the kernel's receive ring, if any, is out");
            assertEquals(second.acquired() - second.kernelHeld(), second.released());
            assertTrue(second.slabBytes() <= first.slabBytes() + 1024 * 1024,
                    "a second run of the same load reuses the pool instead of growing it: " + first + " then " + second);
            acquired += second.acquired();
            kernelRings |= second.kernelHeld() > 0;
        }
        // With kernel receive rings (io_uring), receives take ring buffers, not pool acquisitions.
        assertTrue(kernelRings || acquired > 8L * rounds, "the run went through the pools: " + acquired + " acquisitions");
    }

    /** 16 connections x {@code rounds} round trips of 1 B .. 40 KiB; a quarter of the connections end with a reset. */
    private static void runClients(ExecutorService clients, int port, int rounds, long seed) throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            int client = c;
            all.add(CompletableFuture.runAsync(() -> {
                Random random = new Random(seed * 100 + client);
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(IoTesting.WAIT));
                    for (int r = 0; r < rounds; r++) {
                        byte[] data = new byte[1 + random.nextInt(random.nextBoolean() ? 100 : 40_000)];
                        random.nextBytes(data);
                        byte[] back = IoTesting.roundTrip(socket, data);
                        assertArrayEquals(data, back, "round " + r);
                    }
                    if (client % 4 == 0) {
                        socket.getOutputStream().write(new byte[30_000]); // unread echo pending: reset on close
                        socket.setSoLinger(true, 0);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, clients));
        }
        IoTesting.await(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));
    }

    /** Waits until the server closed every connection, then reads the pools' stats. */
    private static List<BufferPool.Stats> awaitIdle(ShardRuntime runtime, TcpServer server) {
        IoTesting.eventually("the server closes every connection",
                () -> server.openConnections(0) + server.openConnections(1) == 0);
        // A write cancelled by the close gives its buffer back at the driver's next dispatch, just after.
        List<List<BufferPool.Stats>> last = new ArrayList<>(List.of(List.of()));
        try {
            IoTesting.eventually("every buffer back in its pool", () -> {
                last.set(0, IoTesting.poolStats(runtime));
                return last.get(0).stream().allMatch(s -> s.heldByApplication() == 0);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + last.get(0), e);
        }
        return last.get(0);
    }
}
