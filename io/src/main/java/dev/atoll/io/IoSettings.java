package dev.atoll.io;

import com.typesafe.config.ConfigValueType;
import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigReader;

import java.time.Duration;

/**
 * Settings of {@code atoll.io} (see the io module's {@code reference.conf} for what each means).
 *
 * @param bufferMinSize      smallest buffer size class, a power of two
 * @param bufferMaxSize      largest buffer size class, a power of two
 * @param slabSize           bytes carved at a time from the shared arena
 * @param poolMaxBytes       bound of one shard's pool
 * @param bufferDebug        poison released buffers, fail uses after release, report leaks (slow: for tests)
 * @param receiveBufferSize  size of the buffers {@link Connection#receive} hands out
 * @param maxUnreleased      buffers a receiver may hold per connection before it pauses
 * @param kernelBuffers      receive buffers a shard hands the kernel for multishot receives (io_uring); 0 = none
 * @param acceptMode         how a {@link TcpServer} spreads connections over shards
 * @param balance            the acceptor's choice of shard
 * @param backlog            listen queue length
 * @param acceptRetry        wait after accept runs out of descriptors or memory
 * @param socketOptions      defaults of every TCP connection
 * @param writeBacklogLimit  bytes a connection queues behind the write in progress
 * @param writeBacklogPolicy what a write beyond that limit does
 */
public record IoSettings(int bufferMinSize, int bufferMaxSize, int slabSize, long poolMaxBytes, boolean bufferDebug,
                         int receiveBufferSize, int maxUnreleased, int kernelBuffers, AcceptMode acceptMode, Balance balance,
                         int backlog, Duration acceptRetry, SocketOptions socketOptions, long writeBacklogLimit,
                         WriteBacklogPolicy writeBacklogPolicy) {

    /** How a {@link TcpServer} spreads connections over shards. */
    public enum AcceptMode {
        /** {@link #REUSE_PORT} on Linux, {@link #ACCEPTOR} elsewhere. */
        AUTO,
        /** Every shard listens on the port with {@code SO_REUSEPORT}; the kernel balances (Linux). */
        REUSE_PORT,
        /** Shard 0 accepts and hands each connection to a shard chosen by {@link Balance}. */
        ACCEPTOR
    }

    /** The acceptor's choice of shard for a new connection. */
    public enum Balance {
        ROUND_ROBIN,
        /** The shard with the fewest open connections. */
        LEAST_CONNECTIONS
    }

    /** What a write beyond the write-backlog limit does. */
    public enum WriteBacklogPolicy {
        /** The write's promise fails with {@link WriteBacklogFullException}; the connection stays open. */
        FAIL,
        /** The connection is closed; every queued write fails. */
        CLOSE
    }

    private static final String ROOT = "atoll.io.";

    /** Reads {@code atoll.io} from {@code config}; errors name the key, the value and its file. */
    public static IoSettings from(AtollConfig config) {
        ConfigReader reader = config.reader();
        int min = powerOfTwo(reader, ROOT + "buffers.min-size", 64, 1 << 30);
        int max = powerOfTwo(reader, ROOT + "buffers.max-size", min, 1 << 30);
        int slab = (int) reader.bytes(ROOT + "buffers.slab-size", max, 1 << 30);
        long poolMax = reader.bytes(ROOT + "buffers.max-bytes", slab, Long.MAX_VALUE);
        int receiveSize = (int) reader.bytes(ROOT + "receive.buffer-size", 1, max);
        SocketOptions socket = new SocketOptions(
                reader.bool(ROOT + "socket.no-delay"),
                reader.bool(ROOT + "socket.keep-alive"),
                (int) reader.bytes(ROOT + "socket.send-buffer", 0, Integer.MAX_VALUE),
                (int) reader.bytes(ROOT + "socket.receive-buffer", 0, Integer.MAX_VALUE),
                linger(reader, ROOT + "socket.linger"));
        return new IoSettings(min, max, slab, poolMax, reader.bool(ROOT + "buffers.debug"), receiveSize,
                reader.intIn(ROOT + "receive.max-unreleased", 1, 1 << 20),
                reader.intIn(ROOT + "receive.kernel-buffers", 0, 32768),
                reader.enumOf(ROOT + "tcp.accept", AcceptMode.class),
                reader.enumOf(ROOT + "tcp.balance", Balance.class),
                reader.intIn(ROOT + "tcp.backlog", 1, 1 << 20),
                reader.duration(ROOT + "tcp.accept-retry", Duration.ofMillis(1), Duration.ofMinutes(1)),
                socket,
                reader.bytes(ROOT + "write-backlog.limit", 1, Long.MAX_VALUE),
                reader.enumOf(ROOT + "write-backlog.policy", WriteBacklogPolicy.class));
    }

    /** The accept mode this OS uses for {@link AcceptMode#AUTO}. */
    AcceptMode effectiveAcceptMode(boolean linux) {
        return acceptMode != AcceptMode.AUTO ? acceptMode : linux ? AcceptMode.REUSE_PORT : AcceptMode.ACCEPTOR;
    }

    private static int powerOfTwo(ConfigReader reader, String path, int min, int max) {
        long size = reader.bytes(path, min, max);
        if (Long.bitCount(size) != 1) {
            throw reader.invalid(path, "a power of two from " + min + " to " + max + " bytes");
        }
        return (int) size;
    }

    private static Duration linger(ConfigReader reader, String path) {
        var value = reader.config().getValue(path);
        if (value.valueType() == ConfigValueType.STRING && "off".equalsIgnoreCase(((String) value.unwrapped()).trim())) {
            return null;
        }
        return reader.duration(path, Duration.ZERO, Duration.ofSeconds(Integer.MAX_VALUE));
    }
}
