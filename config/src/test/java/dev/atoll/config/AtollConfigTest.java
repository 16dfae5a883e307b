package dev.atoll.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtollConfigTest {
    @TempDir
    Path dir;

    /** Writes a real file, so that errors name a file path and a line number. */
    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private InvalidConfigException loadFails(Path file) {
        return assertThrows(InvalidConfigException.class, () -> AtollConfig.load(ConfigSources.none().withFile(file)));
    }

    private static void assertMessageHas(InvalidConfigException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + part + "' missing from: " + e.getMessage());
        }
    }

    private static void assertInvalid(InvalidConfigException e, String path, String value, String expected, String origin) {
        assertEquals(path, e.path());
        assertEquals(value, e.value());
        assertEquals(expected, e.expected());
        assertEquals(origin, e.origin());
    }

    @Test
    void defaultsMatchReferenceConf() {
        AtollSettings s = AtollConfig.defaults().settings();
        assertEquals(0, s.shards().count());
        assertTrue(s.shards().pin());
        assertEquals(QosClass.USER_INTERACTIVE, s.shards().qos());
        assertEquals(new IdleSettings(IdleStrategyKind.ADAPTIVE, Duration.ofNanos(50_000), Duration.ofNanos(50_000), 64, 8,
                Duration.ofNanos(1000), Duration.ofMillis(1)), s.shards().idle());
        assertEquals(Duration.ofMillis(500), s.shards().stallThreshold());
        assertEquals(DriverKind.AUTO, s.driver());
        assertEquals(4096, s.ioUring().entries());
        assertEquals(new MeshSettings(1024, 1_000_000), s.mesh());
        assertEquals(new TimerSettings(Duration.ofMillis(1), 512), s.timers());
        assertEquals(new OffloadSettings(4, 4096), s.offload());
    }

    @Test
    void wrongTypeNamesPathValueExpectationAndFileLine() throws IOException {
        Path bad = file("wrong-type.conf", "# a comment\natoll.mesh.queue-capacity = \"lots\"\n");
        InvalidConfigException e = loadFails(bad);
        assertInvalid(e, "atoll.mesh.queue-capacity", "\"lots\"", "an integer from 4 to 16777216", bad + ":2");
        assertEquals("Invalid setting atoll.mesh.queue-capacity = \"lots\" (" + bad + ":2): expected an integer from 4 to 16777216",
                e.getMessage());
    }

    @Test
    void outOfRangeNamesTheRange() throws IOException {
        Path bad = file("range.conf", "atoll {\n  mesh {\n    queue-capacity = 2\n  }\n}\n");
        InvalidConfigException e = loadFails(bad);
        assertMessageHas(e, "atoll.mesh.queue-capacity", "= 2", "an integer from 4 to 16777216", bad + ":3");
    }

    @Test
    void ioUringEntriesMustBeAPowerOfTwo() throws IOException {
        Path bad = file("entries.conf", "atoll.io-uring.entries = 1000\n");
        assertMessageHas(loadFails(bad), "atoll.io-uring.entries", "1000", "a power of two", bad + ":1");
    }

    @Test
    void unknownDriverListsTheChoices() throws IOException {
        Path bad = file("driver.conf", "atoll.driver = iouring\n");
        assertInvalid(loadFails(bad), "atoll.driver", "\"iouring\"", "one of auto, io-uring, epoll, kqueue", bad + ":1");
    }

    @Test
    void ioUringIsAcceptedWithDashOrUnderscore() {
        assertEquals(DriverKind.IO_URING, AtollConfig.parse("atoll.driver = io-uring", "test").settings().driver());
        assertEquals(DriverKind.IO_URING, AtollConfig.parse("atoll.driver = io_uring", "test").settings().driver());
        assertEquals(DriverKind.EPOLL, AtollConfig.parse("atoll.driver = epoll", "test").settings().driver());
        assertEquals("io_uring", DriverKind.IO_URING.displayName());
    }

    @Test
    void typoUnderAtollIsAnErrorThatSuggestsTheKey() throws IOException {
        Path bad = file("typo.conf", "atoll {\n  mesh.queue-capasity = 10\n}\n");
        InvalidConfigException e = loadFails(bad);
        assertEquals("atoll.mesh.queue-capasity", e.path());
        assertEquals("10", e.value());
        assertMessageHas(e, "did you mean atoll.mesh.queue-capacity?", bad + ":2");
    }

    @Test
    void unknownSectionUnderAtollIsAnError() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> AtollConfig.parse("atoll.nonsense.deep.key = 1", "inline"));
        assertEquals("atoll.nonsense.deep.key", e.path());
    }

    @Test
    void keysOutsideAtollAreNotChecked() {
        AtollConfig config = AtollConfig.parse("kv.port = 6380", "inline");
        assertEquals(6380, config.reader().intIn("kv.port", 0, 65535));
    }

    @Test
    void missingConfigFileNamesItAndTheOption() {
        Path missing = dir.resolve("nowhere.conf");
        InvalidConfigException e = loadFails(missing);
        assertMessageHas(e, missing.toAbsolutePath().toString(), "--config", "does not exist");
    }

    @Test
    void syntaxErrorNamesTheFileAndLine() throws IOException {
        Path bad = file("syntax.conf", "atoll {\n  mesh {\n    queue-capacity = = 3\n  }\n}\n");
        InvalidConfigException e = loadFails(bad);
        assertMessageHas(e, bad.toAbsolutePath().toString(), "cannot be parsed", ": 3:");
    }

    @Test
    void layersApplyInTheContractsOrder() throws IOException {
        // reference.conf: 1024 for all four; application.conf (test resources): 2000 for task-budget,
        // drain-batch and overflow-limit, 2048 for queue-capacity.
        Path layer = file("layer.conf", """
                atoll.shards.task-budget = 3000
                atoll.shards.drain-batch = 3000
                atoll.mesh.overflow-limit = 3000
                """);
        ConfigSources sources = ConfigSources.none().withFile(layer)
                .withOption("atoll.shards.task-budget", "5000", "--test-option");
        try (var ignored = SystemProperties.set("atoll.shards.task-budget", "4000", "atoll.shards.drain-batch", "4000")) {
            AtollSettings s = AtollConfig.load(sources).settings();
            assertEquals(5000, s.shards().taskBudget(), "option over -D");
            assertEquals(4000, s.shards().drainBatch(), "-D over --config");
            assertEquals(3000, s.mesh().overflowLimit(), "--config over application.conf");
            assertEquals(2048, s.mesh().queueCapacity(), "application.conf over reference.conf");
            assertEquals(512, s.timers().wheelSize(), "reference.conf");
        }
    }

    @Test
    void systemPropertySetAfterAnEarlierLoadIsSeen() {
        assertEquals(DriverKind.AUTO, AtollConfig.load().settings().driver());
        try (var ignored = SystemProperties.set("atoll.driver", "epoll")) {
            assertEquals(DriverKind.EPOLL, AtollConfig.load().settings().driver());
        }
        assertEquals(DriverKind.AUTO, AtollConfig.load().settings().driver());
    }

    @Test
    void badSystemPropertyAndBadOptionNameTheirOrigin() {
        try (var ignored = SystemProperties.set("atoll.timers.wheel-size", "big")) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, AtollConfig::load);
            assertEquals("system properties", e.origin());
            assertEquals("atoll.timers.wheel-size", e.path());
        }
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AtollConfig.load(
                ConfigSources.none().withOption("atoll.shards.count", "0", "--shards")));
        assertEquals("command-line option --shards", e.origin());
        assertEquals("auto or an integer from 1 to 4096", e.expected());
    }

    @Test
    void laterOptionWinsOverEarlierOne() {
        ConfigSources sources = ConfigSources.none()
                .withOption("atoll.shards.count", "2", "--shards")
                .withOption("atoll.shards.count", "3", "--shards");
        assertEquals(3, AtollConfig.load(sources).settings().shards().count());
    }

    @Test
    void shardCountIsAutoOrANumber() {
        ShardSettings auto = AtollConfig.parse("atoll.shards.count = auto", "t").settings().shards();
        assertEquals(0, auto.count());
        assertEquals(6, auto.resolveCount(6));
        assertEquals(1, auto.resolveCount(0), "at least one shard even if no CPU is reported");
        ShardSettings three = AtollConfig.parse("atoll.shards.count = 3", "t").settings().shards();
        assertEquals(3, three.resolveCount(6));
        assertEquals(4, AtollConfig.parse("atoll.shards.count = \"4\"", "t").settings().shards().count());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> AtollConfig.parse("atoll.shards.count = many", "t"));
        assertEquals("auto or an integer from 1 to 4096", e.expected());
    }

    @Test
    void idleStrategiesAreNamedInKebabCaseAndParksOrdered() {
        assertEquals(IdleStrategyKind.SPIN_THEN_YIELD,
                AtollConfig.parse("atoll.shards.idle.strategy = spin-then-yield", "t").settings().shards().idle().strategy());
        InvalidConfigException unknown = assertThrows(InvalidConfigException.class,
                () -> AtollConfig.parse("atoll.shards.idle.strategy = nap", "t"));
        assertEquals("one of adaptive, sleep, busy-spin, spin-then-yield, back-off", unknown.expected());
        InvalidConfigException inverted = assertThrows(InvalidConfigException.class,
                () -> AtollConfig.parse("atoll.shards.idle { min-park = 2ms, max-park = 1ms }", "t"));
        assertEquals("atoll.shards.idle.max-park", inverted.path());
    }

    @Test
    void durationsAcceptUnitsAndCheckTheirRange() {
        ShardSettings s = AtollConfig.parse("atoll.shards { idle.poll-window = 20us, stall-threshold = 2s }", "t")
                .settings().shards();
        assertEquals(Duration.ofNanos(20_000), s.idle().pollWindow());
        assertEquals(Duration.ofSeconds(2), s.stallThreshold());
        InvalidConfigException tooLong = assertThrows(InvalidConfigException.class,
                () -> AtollConfig.parse("atoll.shards.idle.poll-window = 2s", "t"));
        assertEquals("a duration from PT0S to PT1S", tooLong.expected());
        InvalidConfigException notADuration = assertThrows(InvalidConfigException.class,
                () -> AtollConfig.parse("atoll.timers.tick = soon", "t"));
        assertTrue(notADuration.expected().startsWith("a duration such as"), notADuration.expected());
    }

    @Test
    void booleansAndEnumsInKebabCase() {
        ShardSettings s = AtollConfig.parse("atoll.shards { pin = off, qos = utility }", "t").settings().shards();
        assertFalse(s.pin());
        assertEquals(QosClass.UTILITY, s.qos());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> AtollConfig.parse("atoll.shards.pin = maybe", "t"));
        assertEquals("a boolean (true or false)", e.expected());
    }

    @Test
    void nonBlankStringRejectsBlanksAndNonStrings() {
        ConfigReader reader = AtollConfig.parse("app { host = \" h \", empty = \"  \", list = [1] }", "t").reader();
        assertEquals("h", reader.nonBlankString("app.host"));
        assertEquals("a non-empty string", assertThrows(InvalidConfigException.class,
                () -> reader.nonBlankString("app.empty")).expected());
        assertThrows(InvalidConfigException.class, () -> reader.nonBlankString("app.list"));
    }

    /** What crosses cores must be immutable: settings are records of immutable values all the way down. */
    @Test
    void settingsAreImmutableRecords() {
        Set<Class<?>> immutableLeaves = Set.of(int.class, long.class, boolean.class, Duration.class, String.class);
        List<Class<?>> pending = new java.util.ArrayList<>(List.of(AtollSettings.class));
        while (!pending.isEmpty()) {
            Class<?> type = pending.removeLast();
            assertTrue(type.isRecord(), type + " is a record");
            for (RecordComponent component : type.getRecordComponents()) {
                Class<?> c = component.getType();
                if (c.isRecord()) {
                    pending.add(c);
                } else {
                    assertTrue(c.isEnum() || immutableLeaves.contains(c), type.getSimpleName() + "." + component.getName());
                }
            }
            assertTrue(java.util.Arrays.stream(type.getDeclaredFields())
                    .filter(f -> !Modifier.isStatic(f.getModifiers()))
                    .allMatch(f -> Modifier.isFinal(f.getModifiers())));
        }
        ConfigSources sources = ConfigSources.none().withOption("a", "b", "--a");
        assertThrows(UnsupportedOperationException.class, () -> sources.options().clear());
    }
}
