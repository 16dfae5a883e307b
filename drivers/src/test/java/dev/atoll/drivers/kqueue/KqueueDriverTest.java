package dev.atoll.drivers.kqueue;

import dev.atoll.config.DriverKind;
import dev.atoll.drivers.Driver;
import dev.atoll.drivers.Os;
import dev.atoll.drivers.ffi.Kqueue;
import dev.atoll.drivers.readiness.ReadinessDriverContract;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The kqueue driver against a real kqueue: the kernel's on macOS, libkqueue on Linux where it is
 * installed; skipped, saying why, elsewhere.
 */
class KqueueDriverTest extends ReadinessDriverContract {

    @BeforeAll
    static void needsAKqueue() {
        String missing = KqueueDriver.unavailableReason(Os.current());
        Assumptions.assumeTrue(missing == null, () -> "no kqueue here: " + missing);
    }

    @Override
    protected Driver open() {
        return KqueueDriver.open(Kqueue.Flavor.of(Os.current()));
    }

    @Override
    protected DriverKind kind() {
        return DriverKind.KQUEUE;
    }
}
