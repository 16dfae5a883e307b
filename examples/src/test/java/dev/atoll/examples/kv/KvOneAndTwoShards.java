package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class's kv servers, without a log: one of 1 shard and one of 2, started once for the class. */
abstract class KvOneAndTwoShards {
    private static KvTestServer one;
    private static KvTestServer two;

    @BeforeAll
    static void startServers() throws Exception {
        one = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
        two = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    @AfterAll
    static void stopServers() {
        one.close();
        two.close();
    }

    /** The server of {@code shards} shards (1 or 2). */
    static KvTestServer server(int shards) {
        return shards == 1 ? one : two;
    }
}
