package dev.atoll.examples;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReadyLineTest {

    @Test
    void formatIsExactlyTheContracts() {
        assertEquals("atoll ready example=http host=127.0.0.1 port=8080 driver=io_uring shards=2",
                ReadyLine.format("http", "127.0.0.1", 8080, DriverKind.IO_URING, 2));
        assertEquals("atoll ready example=kv host=0.0.0.0 port=41234 driver=epoll shards=1",
                ReadyLine.format("kv", "0.0.0.0", 41234, DriverKind.EPOLL, 1));
    }

    @Test
    void autoIsNotADriverInUse() {
        assertThrows(IllegalArgumentException.class, () -> ReadyLine.format("http", "h", 1, DriverKind.AUTO, 1));
    }
}
