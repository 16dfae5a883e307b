package dev.atoll.testkit;

import dev.atoll.shards.ShardRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A kit in a static field runs once per class; in an instance field, once per test; configuration waits for the start. */
class KitLifecycleTest {

    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerTest {
        private static final List<ShardRuntime> seen = new ArrayList<>();

        @RegisterExtension
        final AtollTestKit kit = AtollTestKit.create().shards(1);

        @Test
        @Order(1)
        void first() {
            seen.add(kit.runtime());
        }

        @Test
        @Order(2)
        void second() {
            seen.add(kit.runtime());
            assertNotSame(seen.get(0), seen.get(1), "a runtime per test");
            assertTrue(seen.get(0).submit(0, () -> 1).isCompletedExceptionally(), "the first test's runtime has stopped");
        }
    }

    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerClass {
        @RegisterExtension
        static final AtollTestKit kit = AtollTestKit.create().shards(3);
        private static final List<ShardRuntime> seen = new ArrayList<>();

        @Test
        @Order(1)
        void first() {
            seen.add(kit.runtime());
            assertEquals(3, kit.runtime().shardCount());
        }

        @Test
        @Order(2)
        void second() {
            seen.add(kit.runtime());
            assertSame(seen.get(0), seen.get(1), "one runtime for the class");
        }

        @AfterAll
        static void stillRunningInAfterAll() {
            assertEquals(1, kit.onShard(2, () -> 1));
        }
    }

    @Test
    void configurationIsRefusedOnceStartedAndUseBeforeTheStart() {
        AtollTestKit kit = AtollTestKit.create();
        assertThrows(IllegalStateException.class, kit::system);
        try (AtollTestKit started = kit.shards(1).start()) {
            assertThrows(IllegalStateException.class, () -> started.shards(2));
        }
        assertThrows(IllegalStateException.class, kit::runtime);
    }
}
