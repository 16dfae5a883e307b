package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection's reply array is kept between replies of a few KiB (redis-benchmark's LRANGE_300 to
 * LRANGE_600), not grown from 512 bytes and dropped for each: the shard thread's allocation per
 * LRANGE of 600 short elements stays far below the reply's size. A new connection's array grows into
 * the ones closed connections gave back ({@link OutputArrays}).
 */
class KvReplyBufferTest {

    private static KvTestServer start() throws Exception {
        return KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO),
                "atoll.io.buffers.debug = false");
    }

    /** redis-benchmark's list for its LRANGE tests: 600 elements of 3 bytes. */
    private static void push600(RespClient c) throws Exception {
        String[] push = new String[602];
        push[0] = "RPUSH";
        push[1] = "mylist";
        for (int i = 2; i < push.length; i++) {
            push[i] = "xxx";
        }
        assertEquals(600L, c.call(push));
    }

    @Test
    void anLrangeOf600ElementsAllocatesNoReplyArrayOfItsOwn() throws Exception {
        try (KvTestServer server = start(); RespClient c = server.client()) {
            push600(c);
            for (int warmUp = 0; warmUp < 3; warmUp++) {
                allocatedPerLrange(c, 1);
                allocatedPerLrange(c, 16);
            }
            long single = allocatedPerLrange(c, 1);
            long pipelined = allocatedPerLrange(c, 16);
            String figures = "bytes allocated on the shard thread per LRANGE mylist 0 599 (a reply of 5,406 bytes): "
                    + single + ", pipelined 16: " + pipelined;
            System.out.println(figures);
            // Growing the array from 512 bytes for each reply allocated about 16,000 bytes per LRANGE.
            assertTrue(single < 1_000, figures);
            assertTrue(pipelined < 1_000, figures);
        }
    }

    @Test
    void aNewConnectionsFirstLargeReplyGrowsIntoArraysThatClosedConnectionsGaveBack() throws Exception {
        try (KvTestServer server = start(); RespClient c = server.client()) {
            push600(c);
            for (int warmUp = 0; warmUp < 50; warmUp++) {
                lrangeOnANewConnection(server);
            }
            int connections = 200;
            long before = KvBatchingTest.sum(KvBatchingTest.shardCounter(c, "allocated_bytes"));
            for (int i = 0; i < connections; i++) {
                lrangeOnANewConnection(server);
            }
            long perConnection = (KvBatchingTest.sum(KvBatchingTest.shardCounter(c, "allocated_bytes")) - before) / connections;
            String figure = "bytes allocated on the shard thread per connection that sends one LRANGE mylist 0 599 and closes: "
                    + perConnection;
            System.out.println(figure);
            // Growing a new array from 512 bytes to 8 KiB for each connection's first reply took 15 KiB more.
            assertTrue(perConnection < 12_000, figure);
        }
    }

    private static void lrangeOnANewConnection(KvTestServer server) throws Exception {
        try (RespClient fresh = server.client()) {
            assertEquals(600, ((List<?>) fresh.call("LRANGE", "mylist", "0", "599")).size());
        }
    }

    /** Bytes the shard thread allocated per LRANGE of the whole list, {@code depth} commands per write. */
    private static long allocatedPerLrange(RespClient c, int depth) throws Exception {
        int commands = 2_000;
        byte[] lrange = RespClient.encode("LRANGE", "mylist", "0", "599");
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < depth; i++) {
            pipeline.writeBytes(lrange);
        }
        byte[] write = pipeline.toByteArray();
        long before = KvBatchingTest.sum(KvBatchingTest.shardCounter(c, "allocated_bytes"));
        for (int i = 0; i < commands / depth; i++) {
            c.sendRaw(write);
            for (int k = 0; k < depth; k++) {
                assertEquals(600, ((List<?>) c.read()).size());
            }
        }
        return (KvBatchingTest.sum(KvBatchingTest.shardCounter(c, "allocated_bytes")) - before) / commands;
    }
}
