package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A defect in one command costs that command only: an exception thrown while it runs on its shard
 * becomes its error reply (so its connection's replies stay in order, and a batch from another shard
 * still answers every command), the next command runs, and the log says what failed. The defect is
 * planted as a value whose methods throw, since no command of the kv is known to throw.
 */
class KvCommandFailureTest {
    /** A value of a type no command expects, whose every method throws. */
    private static final class Broken implements Aggregate {
        @Override
        public String type() {
            throw new IllegalStateException("planted defect");
        }

        @Override
        public String encoding() {
            throw new IllegalStateException("planted defect");
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public long bytes() {
            return 0;
        }

        @Override
        public Aggregate copy() {
            throw new IllegalStateException("planted defect");
        }

        @Override
        public void writeRecords(byte[] key, ReplyWriter w) {
            throw new IllegalStateException("planted defect");
        }
    }

    @Test
    void anExceptionInACommandIsItsErrorReplyAndTheNextCommandRuns() {
        KeyTable table = new KeyTable();
        byte[] key = "broken".getBytes(StandardCharsets.US_ASCII);
        table.insert(key, KeyTable.hash(key, 0, key.length), new Broken());
        KvShard shard = new KvShard(0, table, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO), 1);
        LogCapture log = new LogCapture(KvShard.class);
        log.start();
        try {
            ReplyWriter out = new ReplyWriter(64);
            run(shard, out, "SET", "before", "1");
            run(shard, out, "TYPE", "broken");
            run(shard, out, "GET", "before");
            String replies = new String(out.bytes(), 0, out.size(), StandardCharsets.UTF_8);
            assertEquals("+OK\r\n"
                    + "-ERR internal error in 'type' (see the server's log): java.lang.IllegalStateException: planted defect\r\n"
                    + "$1\r\n1\r\n", replies);
            log.assertLogged("shard 0", "type failed");
        } finally {
            log.stop();
        }
    }

    private static void run(KvShard shard, ReplyWriter out, String... args) {
        byte[] bytes = RespClient.encode(args);
        Request r = new Request();
        assertTrue(new RespParser(1 << 20).parse(bytes, 0, bytes.length, r) > 0);
        shard.execute(Command.lookup(r), r, out, System.currentTimeMillis());
    }
}
