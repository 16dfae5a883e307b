package dev.atoll.examples;

import dev.atoll.config.DriverKind;
import dev.atoll.config.InvalidConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerOptionsTest {
    @TempDir
    Path dir;

    private final Map<String, String> savedProperties = new HashMap<>();

    /** Sets a system property as {@code -Dkey=value} would; {@link #restoreProperties} puts it back. */
    private void systemProperty(String key, String value) {
        savedProperties.putIfAbsent(key, System.getProperty(key));
        System.setProperty(key, value);
    }

    @AfterEach
    void restoreProperties() {
        savedProperties.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }

    private static ServerSettings load(String... args) throws UsageException {
        return ServerOptions.parse("http", 8080, args).load();
    }

    private static String usageError(String... args) {
        return assertThrows(UsageException.class, () -> ServerOptions.parse("http", 8080, args)).getMessage();
    }

    @Test
    void defaultsWhenNothingIsGiven() throws UsageException {
        ServerSettings s = load();
        assertEquals("http", s.example());
        assertEquals("127.0.0.1", s.host());
        assertEquals(8080, s.port());
        assertEquals(0, s.config().settings().shards().count());
        assertEquals(DriverKind.AUTO, s.config().settings().driver());
    }

    @Test
    void bothSpellingsOfEveryOption() throws UsageException {
        ServerSettings spaced = load("--host", "0.0.0.0", "--port", "9000", "--shards", "3", "--driver", "epoll");
        ServerSettings joined = load("--host=0.0.0.0", "--port=9000", "--shards=3", "--driver=epoll");
        for (ServerSettings s : new ServerSettings[] {spaced, joined}) {
            assertEquals("0.0.0.0", s.host());
            assertEquals(9000, s.port());
            assertEquals(3, s.config().settings().shards().count());
            assertEquals(DriverKind.EPOLL, s.config().settings().driver());
        }
    }

    @Test
    void portZeroShardsAutoAndBothIoUringSpellings() throws UsageException {
        assertEquals(0, load("--port", "0").port());
        assertEquals(0, load("--shards", "auto").config().settings().shards().count());
        assertEquals(DriverKind.IO_URING, load("--driver", "io_uring").config().settings().driver());
        assertEquals(DriverKind.IO_URING, load("--driver", "io-uring").config().settings().driver());
        assertEquals(DriverKind.KQUEUE, load("--driver=kqueue").config().settings().driver());
    }

    @Test
    void metricsPortSetsItsKeyOffByDefault() throws UsageException {
        assertEquals(-1, load().config().reader().config().getInt("metrics.port"));
        assertEquals(9100, load("--metrics-port", "9100").config().reader().config().getInt("metrics.port"));
        assertEquals(0, load("--metrics-port=0").config().reader().config().getInt("metrics.port"));
        assertTrue(usageError("--metrics-port", "70000").startsWith("--metrics-port 70000: expected a port number"));
        assertTrue(ServerOptions.usage("kv", 6379).contains("--metrics-port P"));
    }

    @Test
    void helpIsRecognised() throws UsageException {
        assertTrue(ServerOptions.parse("http", 8080, "--help").helpRequested());
        assertTrue(ServerOptions.parse("http", 8080, "-h").helpRequested());
        assertFalse(ServerOptions.parse("http", 8080).helpRequested());
        assertTrue(ServerOptions.usage("kv", 6379).contains("default 6379"));
    }

    @Test
    void badValuesNameTheOptionAndTheValue() {
        assertEquals("--port 70000: expected a port number from 0 to 65535 (0 = an ephemeral port)", usageError("--port", "70000"));
        assertTrue(usageError("--port=http").startsWith("--port http: expected a port number"));
        assertTrue(usageError("--port", "-1").startsWith("--port -1:"));
        assertEquals("--shards 0: expected auto or a number from 1 to 4096", usageError("--shards", "0"));
        assertTrue(usageError("--shards", "lots").startsWith("--shards lots:"));
        assertEquals("--driver iouring: expected one of auto, io_uring, epoll, kqueue (io-uring accepted too)",
                usageError("--driver", "iouring"));
        assertEquals("--host needs a non-empty value", usageError("--host="));
        assertEquals("--config needs a non-empty value", usageError("--config", " "));
    }

    @Test
    void missingValuesUnknownOptionsAndStrayArguments() {
        assertEquals("--port needs a value", usageError("--port"));
        assertEquals("--host needs a value", usageError("--host", "--port", "1"));
        assertEquals("unknown option --verbose", usageError("--verbose"));
        assertEquals("unknown option --prot", usageError("--prot=80"));
        assertEquals("unexpected argument 'extra' (options start with --)", usageError("extra"));
    }

    @Test
    void hostAndPortComeFromTheExamplesOwnKeys() throws IOException, UsageException {
        Path conf = Files.writeString(dir.resolve("http.conf"), "http { host = \"10.0.0.1\", port = 8181 }\n");
        ServerSettings s = load("--config", conf.toString());
        assertEquals("10.0.0.1", s.host());
        assertEquals(8181, s.port());
    }

    @Test
    void badPortInAFileIsAConfigErrorWithItsOrigin() throws IOException, UsageException {
        Path conf = Files.writeString(dir.resolve("bad.conf"), "\nhttp.port = 99999\n");
        ServerOptions options = ServerOptions.parse("http", 8080, "--config", conf.toString());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, options::load);
        assertEquals("http.port", e.path());
        assertEquals(conf + ":2", e.origin());
    }

    @Test
    void optionsOverSystemPropertiesOverConfigFile() throws IOException, UsageException {
        Path conf = Files.writeString(dir.resolve("layers.conf"), """
                http { host = "10.0.0.1", port = 8181 }
                atoll.shards.count = 2
                atoll.driver = epoll
                atoll.mesh.queue-capacity = 64
                """);
        systemProperty("http.port", "8282");
        systemProperty("atoll.shards.count", "3");
        systemProperty("atoll.driver", "kqueue");

        ServerSettings fileAndD = load("--config", conf.toString());
        assertEquals("10.0.0.1", fileAndD.host(), "--config over the default");
        assertEquals(8282, fileAndD.port(), "-D over --config");
        assertEquals(3, fileAndD.config().settings().shards().count(), "-D over --config");
        assertEquals(DriverKind.KQUEUE, fileAndD.config().settings().driver(), "-D over --config");
        assertEquals(64, fileAndD.config().settings().mesh().queueCapacity(), "--config over reference.conf");

        ServerSettings all = load("--config", conf.toString(), "--port", "8383", "--shards", "4",
                "--driver", "epoll", "--host", "::1");
        assertEquals("::1", all.host(), "option over --config");
        assertEquals(8383, all.port(), "option over -D");
        assertEquals(4, all.config().settings().shards().count(), "option over -D");
        assertEquals(DriverKind.EPOLL, all.config().settings().driver(), "option over -D");
    }

    @Test
    void missingConfigFileFailsAtLoad() throws UsageException {
        ServerOptions options = ServerOptions.parse("http", 8080, "--config", dir.resolve("none.conf").toString());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, options::load);
        assertTrue(e.getMessage().contains("none.conf") && e.getMessage().contains("--config"), e.getMessage());
    }

    @Test
    void anExamplesOwnOptionsSetTheirKeysAboveDashD() throws UsageException {
        Map<String, String> own = Map.of("--appendfsync", "kv.appendfsync");
        systemProperty("kv.appendfsync", "no");
        assertEquals("no", ServerOptions.parse("kv", 6379, own).load().config().reader().config()
                .getString("kv.appendfsync"));
        assertEquals("always", ServerOptions.parse("kv", 6379, own, "--appendfsync", "always").load().config().reader()
                .config().getString("kv.appendfsync"));
        assertEquals("always", ServerOptions.parse("kv", 6379, own, "--appendfsync=always").load().config().reader()
                .config().getString("kv.appendfsync"));
        assertEquals("unknown option --appendfsync",
                assertThrows(UsageException.class, () -> ServerOptions.parse("http", 8080, "--appendfsync", "no"))
                        .getMessage());
        assertTrue(ServerOptions.usage("kv", 6379, own).contains("--appendfsync X         sets kv.appendfsync"));
    }
}
