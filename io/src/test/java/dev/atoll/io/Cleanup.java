package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.ShardRuntime;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened (runtimes, servers, sockets, child processes), closed in reverse order after it,
 * quietly. A test class holds one in a {@code @RegisterExtension} field.
 */
final class Cleanup implements AfterEachCallback {
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Closes {@code resource} after the test; returns it. */
    <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    /** A runtime on {@code driver} (the test skips when it is unavailable), stopped after the test. */
    ShardRuntime start(int shards, String hocon, DriverKind driver) {
        return add(TestRuntimes.start(shards, hocon, driver));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            IoTesting.closeQuietly(resources.get(i));
        }
        resources.clear();
    }
}
