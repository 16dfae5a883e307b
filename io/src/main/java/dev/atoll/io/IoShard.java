package dev.atoll.io;

import dev.atoll.drivers.Driver;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardLocal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The io module's state on one shard: its settings, buffer pool, the resources open on it (closed
 * when the shard stops), the count of open connections (read by other shards' acceptors), and
 * scratch memory for the short synchronous calls (socket options, addresses).
 */
final class IoShard {
    private static final Logger log = LoggerFactory.getLogger(IoShard.class);
    private static final ShardLocal<IoShard> LOCAL = ShardLocal.of(IoShard::new, IoShard::shardStopping);

    private final Shard shard;
    private final IoSettings settings;
    private final BufferPool pool;
    private final Set<Resource> open = new LinkedHashSet<>();
    private ReceiveBufferRing receiveRing;
    private boolean receiveRingTried;
    /** Open connections: written by this shard only (plain), read by {@link IoMetrics} with opaque loads. */
    private int connections;
    /** The shard stopped: its driver closes next, and completions it reports then may submit nothing. */
    private boolean stopped;
    /** The shard thread's own: only it makes calls with them, and the shard outlives every call. */
    private final Arena arena = Arena.ofAuto();
    final MemorySegment errno = Errno.allocate(arena);
    final MemorySegment intValue = arena.allocate(JAVA_INT, 2);
    final MemorySegment intLength = arena.allocate(JAVA_INT);

    /** Something open on a shard that must be closed when the shard stops. */
    interface Resource {
        void close();
    }

    private IoShard(Shard shard) {
        this.shard = shard;
        this.settings = IoSettings.from(shard.runtime().config());
        this.pool = new BufferPool(Thread.currentThread(), settings, slab -> shard.driver().registerBuffer(slab));
    }

    /**
     * The io state of the shard running the caller.
     *
     * @throws IllegalStateException outside a shard thread
     */
    static IoShard current() {
        return LOCAL.get();
    }

    Shard shard() {
        return shard;
    }

    Driver driver() {
        return shard.driver();
    }

    IoSettings settings() {
        return settings;
    }

    BufferPool pool() {
        return pool;
    }

    /** The shard's kernel receive ring, set up at the first call; null when there is none (see {@link ReceiveBufferRing#open}). */
    ReceiveBufferRing receiveRing() {
        if (!receiveRingTried) {
            receiveRingTried = true;
            receiveRing = ReceiveBufferRing.open(this);
        }
        return receiveRing;
    }

    /**
     * User code ({@code callback}, e.g. {@code "Receiver.onData"}) threw for {@code resource}; the caller
     * closes that resource only. The one place the io module reports such failures, so that they can
     * all go to the runtime's error handler ({@link dev.atoll.shards.Shard#reportFailure}).
     */
    void userCodeFailed(String callback, Object resource, Throwable failure) {
        shard.reportFailure(callback + " for " + resource + " (closed)", failure);   // the runtime's error handler
    }

    void opened(Resource resource) {
        if (open.add(resource) && resource instanceof Connection) {
            connections++;
        }
    }

    void closed(Resource resource) {
        if (open.remove(resource) && resource instanceof Connection) {
            connections--;
        }
    }

    /**
     * True once the shard is stopping and has closed what was open: the driver is about to close (its
     * in-flight operations complete cancelled) and takes no new operations, so a completion that must
     * release a resource does it with a plain system call.
     */
    boolean stopped() {
        return stopped;
    }

    /** Resources open now (connections, listeners, sockets, files). */
    int openResources() {
        return open.size();
    }

    /** Whether {@code resource} has a write or file operation in flight: one a graceful stop waits for. */
    private static boolean operationInFlight(Resource resource) {
        return switch (resource) {
            case Connection connection -> connection.writeInFlight();
            case DatagramSocket socket -> socket.sendInFlight();
            case AsyncFile file -> file.operationsInFlight() > 0;
            default -> false;
        };
    }

    private static void shardStopping(IoShard io) {
        io.stopped = true; // before closing: a file's close waiting for its operations must not go to the ring
        List<Resource> all = new ArrayList<>(io.open);
        if (!all.isEmpty()) {
            log.debug("shard {} stops with {} io resources open; closing them", io.shard.id(), all.size());
        }
        for (Resource resource : all) {
            if (operationInFlight(resource)) {
                // The stop waited for it up to atoll.shards.shutdown-timeout (Shard.operationStarted): say which.
                log.warn("shard {} stops with an operation in flight on {}; it is cancelled", io.shard.id(), resource);
            }
            try {
                resource.close();
            } catch (RuntimeException e) {
                log.warn("closing {} at shard stop failed", resource, e);
            }
        }
    }
}
