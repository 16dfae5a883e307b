package dev.atoll.drivers.readiness;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wake flag of the readiness core against a scripted poller, so interleavings that a real
 * eventfd makes rare can be forced.
 */
class ReadinessDriverWakeTest {

    /** A poller whose wake "descriptor" is a counter; {@code signal()} can be held mid-call. */
    private static final class ScriptedPoller implements Poller {
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicInteger signals = new AtomicInteger();
        volatile CountDownLatch insideSignal = new CountDownLatch(1);
        volatile CountDownLatch leaveSignal = new CountDownLatch(0);
        /** The next signal() fails, as a write to a broken descriptor would, and sends nothing. */
        volatile boolean failNext;

        @Override
        public int register(int fd, long token) {
            return 0;
        }

        @Override
        public int rearm(int fd, long token) {
            return 0;
        }

        @Override
        public int deregister(int fd) {
            return 0;
        }

        @Override
        public void await(long timeoutNanos, Sink sink) {
            if (outstanding.getAndSet(0) > 0) {      // drained, as a read of the eventfd would
                sink.woken();
            }
        }

        /** The first call lands its write, then stays inside signal() until {@link #leaveSignal} opens. */
        @Override
        public void signal() {
            if (failNext) {
                failNext = false;
                throw new IllegalStateException("signal refused (scripted)");
            }
            int call = signals.incrementAndGet();
            outstanding.incrementAndGet();
            if (call == 1) {
                insideSignal.countDown();
                try {
                    assertTrue(leaveSignal.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }

        @Override
        public long syscalls() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    private static final class TestDriver extends ReadinessDriver {
        TestDriver(Poller poller) {
            super(poller, 4);
        }

        @Override
        public DriverKind kind() {
            return DriverKind.EPOLL;
        }
    }

    @Test
    void wakesWhileASignalIsOutstandingCoalesce() {
        ScriptedPoller poller = new ScriptedPoller();
        TestDriver driver = new TestDriver(poller);
        driver.wake();
        driver.wake();
        driver.wake();
        assertEquals(1, poller.signals.get());
        driver.poll(0);                              // nothing armed: the signal stays outstanding
        driver.wake();
        assertEquals(1, poller.signals.get());
        driver.poll(1);                              // a poll that may wait drains it
        driver.wake();
        assertEquals(2, poller.signals.get());
    }

    @Test
    void aFailedSignalDoesNotLatchTheGate() {
        ScriptedPoller poller = new ScriptedPoller();
        TestDriver driver = new TestDriver(poller);
        poller.failNext = true;
        assertThrows(IllegalStateException.class, driver::wake);
        driver.wake();
        assertEquals(1, poller.signals.get(), "the wake after a failed signal was skipped: the shard would sleep on");
    }

    @Test
    void aWakerStillInsideSignalDoesNotSwallowTheNextWake() throws Exception {
        ScriptedPoller poller = new ScriptedPoller();
        TestDriver driver = new TestDriver(poller);
        poller.insideSignal = new CountDownLatch(1);
        poller.leaveSignal = new CountDownLatch(1);
        Thread first = Thread.ofPlatform().start(driver::wake);
        assertTrue(poller.insideSignal.await(30, TimeUnit.SECONDS));
        driver.poll(1);                              // the shard drains the first signal
        driver.wake();                               // while the first waker is still inside signal()
        assertEquals(2, poller.signals.get(), "the second wake was skipped: a sleeping shard would never wake");
        poller.leaveSignal.countDown();
        first.join();
    }
}
