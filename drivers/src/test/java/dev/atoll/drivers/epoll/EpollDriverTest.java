package dev.atoll.drivers.epoll;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.Driver;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.readiness.ReadinessDriverContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;

@EnabledOnOs(OS.LINUX)
class EpollDriverTest extends ReadinessDriverContract {

    @Override
    protected Driver open() {
        return EpollDriver.open();
    }

    @Override
    protected DriverKind kind() {
        return DriverKind.EPOLL;
    }

    @Test
    void timeoutsRoundUpToWholeMillisForEpollWait() {
        assertEquals(-1, EpollPoller.timeoutMillis(-1));
        assertEquals(0, EpollPoller.timeoutMillis(0));
        assertEquals(1, EpollPoller.timeoutMillis(1));
        assertEquals(1, EpollPoller.timeoutMillis(1_000_000));
        assertEquals(2, EpollPoller.timeoutMillis(1_000_001));
        assertEquals(Integer.MAX_VALUE, EpollPoller.timeoutMillis(Long.MAX_VALUE));
    }

    @Test
    void driversOpensEpollWhenAskedFor() {
        try (Driver opened = Drivers.open(AtollConfig.parse("atoll.driver = epoll", "test").settings())) {
            assertEquals(DriverKind.EPOLL, opened.kind());
        }
    }
}
