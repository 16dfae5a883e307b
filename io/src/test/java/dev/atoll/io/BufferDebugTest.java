package dev.atoll.io;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;
import dev.atoll.shards.ShardRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The buffer debug mode ({@code atoll.io.buffers.debug}): poisoning, use after release, leaks. */
class BufferDebugTest {
    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private final Logger leaksLog = (Logger) LoggerFactory.getLogger(BufferLeaks.class);
    private final ListAppender<ILoggingEvent> reports = new ListAppender<>();

    @BeforeEach
    void captureReports() {
        reports.start();
        leaksLog.addAppender(reports);
    }

    @AfterEach
    void stopCapturing() {
        leaksLog.detachAppender(reports);
    }

    private static BufferPool debugPool() {
        IoSettings settings = IoSettings.from(AtollConfig.parse("atoll.io.buffers.debug = true", "test settings"));
        return new BufferPool(Thread.currentThread(), settings, slab -> -1);
    }

    @Test
    void theTestSuiteRunsWithTheDebugModeOn() {
        // Set by the build (surefire's systemPropertyVariables), which the reference configuration takes in.
        assertTrue(IoSettings.from(AtollConfig.defaults()).bufferDebug(), "atoll.io.buffers.debug in the tests");
    }

    @Test
    void aUseAfterReleaseFailsAndSaysWhereTheBufferWasReleased() {
        BufferPool pool = debugPool();
        Buffer buffer = pool.acquire(512).writeUtf8("data");
        buffer.release();
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> buffer.writeByte(1));
        assertTrue(failure.getMessage().contains("used after its release"), failure.getMessage());
        assertTrue(failure.getCause().getMessage().contains("released here"), "the cause is the release site");
        assertThrows(IllegalStateException.class, buffer::readableBytes);
        assertThrows(IllegalStateException.class, buffer::release, "a double release fails too");

        // The memory goes out again, in another Buffer: the old reference still fails, the memory is poisoned.
        Buffer again = pool.acquire(512);
        assertNotSame(buffer, again);
        assertThrows(IllegalStateException.class, buffer::toUtf8String);
        assertEquals(BufferLeaks.POISON, again.segment().get(JAVA_BYTE, 0));
        assertEquals(BufferLeaks.POISON, again.segment().get(JAVA_BYTE, 511));
        again.release();
        assertEquals(0, pool.stats().inUse());
        assertEquals(List.of(), reports.list, "nothing to report");
    }

    @Test
    void writingThroughASegmentKeptPastTheReleaseIsReportedWhenTheMemoryIsHandedOutAgain() {
        BufferPool pool = debugPool();
        Buffer buffer = pool.acquire(1024);
        MemorySegment kept = buffer.segment();
        buffer.release();
        kept.set(JAVA_BYTE, 700, (byte) 1); // the bug: the memory is the pool's now
        pool.acquire(1024).release();
        assertEquals(1, reports.list.size(), "reported: " + reports.list);
        ILoggingEvent report = reports.list.get(0);
        assertEquals(Level.ERROR, report.getLevel());
        assertTrue(report.getFormattedMessage().contains("written after its release (at offset 696"),
                report.getFormattedMessage());
    }

    @Test
    void aBufferDroppedWithoutReleaseIsReportedWithWhereItWasAcquired() {
        BufferPool pool = debugPool();
        acquireAndDrop(pool);
        awaitLeaks(() -> pool.stats().leaked());
        ILoggingEvent report = reports.list.get(0);
        assertTrue(report.getFormattedMessage().startsWith("LEAK: a buffer of 2048 bytes"), report.getFormattedMessage());
        assertTrue(report.getThrowableProxy().getMessage().contains("acquired here"), "says where it was acquired");
        boolean namesThisTest = false;
        for (var frame : report.getThrowableProxy().getStackTraceElementProxyArray()) {
            namesThisTest |= frame.getStackTraceElement().getMethodName().equals("acquireAndDrop");
        }
        assertTrue(namesThisTest, "the acquisition's stack names the code that leaked");
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aReceiverThatDropsWhatItGetsIsReported(DriverKind driver) throws IOException {
        // On io_uring the buffers come from the kernel's receive ring, elsewhere from the pool: both tracked.
        ShardRuntime runtime = cleanup.start(1, "atoll.io.buffers.debug = true", driver);
        TcpServer server = IoTesting.await(TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0),
                connection -> connection.receive(new Receiver() {
                    @Override
                    public void onData(Connection c, Buffer data) {
                        // the bug: never released
                    }

                    @Override
                    public void onEnd(Connection c, Throwable failure) {
                        c.close();
                    }
                })));
        cleanup.add(() -> server.close().get(IoTesting.WAIT, TimeUnit.SECONDS));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("dropped".getBytes());
            out.flush();
            awaitLeaks(() -> IoTesting.onShard(runtime, 0, () -> {
                System.gc();
                return BufferPool.current().stats().leaked();
            }));
        }
        assertTrue(reports.list.get(0).getFormattedMessage().startsWith("LEAK"), reports.list.get(0).getFormattedMessage());
    }

    private static void acquireAndDrop(BufferPool pool) {
        pool.acquire(2048).writeUtf8("never released");
    }

    /** Collects garbage until the count of reported leaks is 1 (the collector decides when: bounded wait). */
    private static void awaitLeaks(LongSupplier leaked) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(IoTesting.WAIT);
        while (leaked.getAsLong() == 0) {
            assertTrue(System.nanoTime() < deadline, "no leak reported within " + IoTesting.WAIT + " s");
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(1, leaked.getAsLong());
    }
}
