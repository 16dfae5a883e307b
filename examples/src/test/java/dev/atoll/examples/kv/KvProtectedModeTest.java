package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19, item 11: Redis's protected mode. A server bound to a non-loopback address with no password
 * refuses peers from other hosts with {@code -DENIED}. Tests use loopback addresses only: the end-to-end
 * case listens on 127.0.0.2 and calls only 127.0.0.1 "this host", so a client connecting from
 * 127.0.0.3 plays a remote peer through the real accept path and the real peer address.
 */
class KvProtectedModeTest {
    private static final String DENIED = new String(ProtectedMode.DENIED, 1, ProtectedMode.DENIED.length - 3,
            StandardCharsets.US_ASCII);
    /** The test's view of "this host": 127.0.0.1 alone. */
    private static final Predicate<InetAddress> ONLY_127_0_0_1 = a -> a.getHostAddress().equals("127.0.0.1");

    private static KvSettings settings(String password, boolean protectedMode) {
        return new KvSettings(false, KvSettings.FsyncPolicy.NO, Path.of("unused"), 64L << 20, 100, 16L << 20,
                KvTestServer.INPUT, KvTestServer.OUTPUT, 100, Duration.ZERO, password, protectedMode);
    }

    private static InetAddress address(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void itAppliesToANonLoopbackBindWithoutAPassword() throws Exception {
        KvSettings open = settings("", true);
        assertTrue(ProtectedMode.of(open, address("0.0.0.0")).active());
        assertTrue(ProtectedMode.of(open, address("::")).active());
        assertTrue(ProtectedMode.of(open, address("192.0.2.7")).active());
        assertFalse(ProtectedMode.of(open, address("127.0.0.1")).active(), "a loopback bind has only local peers");
        assertFalse(ProtectedMode.of(open, address("::1")).active());
        assertFalse(ProtectedMode.of(settings("s3cret", true), address("0.0.0.0")).active(), "a password protects");
        assertFalse(ProtectedMode.of(settings("", false), address("0.0.0.0")).active(), "turned off");
        assertNull(ProtectedMode.of(open, address("127.0.0.1")).warning());
        assertNull(ProtectedMode.of(settings("s3cret", true), address("0.0.0.0")).warning());
        assertTrue(ProtectedMode.of(open, address("0.0.0.0")).warning().contains("0.0.0.0"));
        assertTrue(ProtectedMode.of(settings("", false), address("0.0.0.0")).warning().contains("every peer"),
                "serving the network without a password is still worth a warning");
    }

    @Test
    void peersOnThisHostAreAdmittedOthersAreNot() throws Exception {
        ProtectedMode mode = ProtectedMode.of(settings("", true), address("0.0.0.0"));
        assertTrue(mode.admits(new InetSocketAddress(address("127.0.0.1"), 5000)));
        assertTrue(mode.admits(new InetSocketAddress(address("127.45.6.7"), 5000)), "all of 127.0.0.0/8");
        assertTrue(mode.admits(new InetSocketAddress(address("::1"), 5000)));
        assertTrue(mode.admits(new InetSocketAddress(address("::ffff:127.0.0.1"), 5000)), "IPv4-mapped loopback");
        assertTrue(mode.admits(UnixDomainSocketAddress.of("/tmp/kv.sock")), "a Unix socket's peer is local");
        assertFalse(mode.admits(new InetSocketAddress(address("192.0.2.7"), 5000)));
        assertFalse(mode.admits(new InetSocketAddress(address("::ffff:192.0.2.7"), 5000)));
        assertFalse(mode.admits(new InetSocketAddress(address("2001:db8::1"), 5000)));
        assertFalse(mode.admits(new InetSocketAddress(address("10.0.0.1"), 5000)), "a private network is not this host");
        assertFalse(mode.admits(InetSocketAddress.createUnresolved("example.org", 5000)));
        assertFalse(mode.admits(null), "no address: the peer is gone");
        assertTrue(ProtectedMode.OFF.admits(new InetSocketAddress(address("192.0.2.7"), 5000)));
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aPeerFromAnotherHostIsDeniedAndClosed(DriverKind driver) throws Exception {
        KvSettings open = settings("", true);
        try (KvTestServer server = KvTestServer.start(2, driver, open, "127.0.0.2",
                ProtectedMode.of(open, address("127.0.0.2"), ONLY_127_0_0_1));
             RespClient local = server.clientFrom("127.0.0.1")) {
            for (int i = 0; i < 4; i++) { // on both shards
                try (RespClient remote = server.clientFrom("127.0.0.3")) {
                    assertEquals(new RespClient.Error(DENIED), remote.read());
                    assertTrue(remote.closedByServer());
                }
            }
            assertEquals("OK", local.call("SET", "k", "v"));
            try (RespClient another = server.clientFrom("127.0.0.1")) {
                assertEquals("v", another.call("GET", "k"));
            }
            assertEquals(1L, ((java.util.List<?>) local.call("CONFIG", "GET", "protected-mode")).size() / 2L);
        }
        for (KvSettings served : new KvSettings[] {settings("s3cret", true), settings("", false)}) {
            try (KvTestServer server = KvTestServer.start(1, driver, served, "127.0.0.2",
                    ProtectedMode.of(served, address("127.0.0.2"), ONLY_127_0_0_1));
                 RespClient remote = server.clientFrom("127.0.0.3")) {
                Object reply = remote.call("PING");
                assertTrue(reply.equals("PONG") || reply.equals(new RespClient.Error("NOAUTH Authentication required.")),
                        "" + reply);
            }
        }
    }
}
