package dev.atoll.io;

import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.ffi.SocketAddresses;
import dev.atoll.drivers.ffi.Sockets;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Timer;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A listening stream socket (TCP or Unix domain) on one shard; {@link #accept()} takes one connection
 * at a time, owned by this shard. {@link TcpServer} runs listeners on several shards and the accept
 * loop; use a listener directly for full control.
 *
 * <p>Where the driver has multishot accept (io_uring), one submission accepts for the listener's life:
 * connections that arrive while nobody waits in {@link #accept()} are queued here, and the kernel is
 * told to stop (cancel) once {@value #QUEUE_LIMIT} wait, so a listener nobody accepts on leaves the
 * rest in the kernel's backlog. An error (e.g. {@code EMFILE}) ends the multishot; the next
 * {@link #accept()} arms it again, so a caller's pause before retrying holds.
 */
public final class Listener implements IoShard.Resource {
    static {
        // When accept fails for lack of descriptors (EMFILE), no class file can be opened, so a class first
        // needed by that failure (naming the errno loads LinuxConstants or MacosConstants) fails to load and
        // the NoClassDefFoundError stops the shard. Load what the failure path uses now.
        IoException.loadFailurePath(OsConstants.EMFILE);
    }

    /** Accepted connections kept while nobody waits, before the multishot accept is paused. */
    private static final int QUEUE_LIMIT = 16;

    private final IoShard io;
    private final int fd;
    private final boolean tcp;
    private final SocketAddress address;
    private final IoOperation acceptOp;
    private final boolean multishot;
    /** Descriptors the multishot accept took while nobody waited, oldest at {@link #queueHead}. */
    private int[] queued = new int[QUEUE_LIMIT];
    private int queueHead;
    private int queueSize;
    private SocketOptions connectionOptions;
    private Promise<Connection> acceptPromise;
    private Timer acceptDeadline;
    private boolean open = true;

    private Listener(IoShard io, int fd, boolean tcp, SocketAddress address) {
        this.io = io;
        this.fd = fd;
        this.tcp = tcp;
        this.address = address;
        this.connectionOptions = io.settings().socketOptions();
        this.multishot = io.driver().supportsMultishotAccept();
        this.acceptOp = new IoOperation(io, multishot ? this::multishotCompleted : this::acceptCompleted);
        io.opened(this);
    }

    /** Listens on {@code address} (port 0: any free port) with the configured backlog, on the calling shard. */
    public static Listener bind(SocketAddress address) {
        return bind(address, false);
    }

    /**
     * As {@link #bind(SocketAddress)}; with {@code reusePort}, several sockets (one per shard) may listen
     * on the same port and the kernel spreads connections over them ({@code SO_REUSEPORT}, Linux).
     * A Unix socket path that exists makes this fail with {@code EADDRINUSE}: remove a stale one first.
     */
    public static Listener bind(SocketAddress address, boolean reusePort) {
        Objects.requireNonNull(address, "address");
        IoShard io = IoShard.current();
        boolean tcp = address instanceof InetSocketAddress;
        int fd = SocketCalls.open(io, SocketAddresses.family(address), OsConstants.SOCK_STREAM);
        try {
            if (tcp) {
                SocketCalls.setInt(io, fd, OsConstants.SOL_SOCKET, OsConstants.SO_REUSEADDR, 1, "SO_REUSEADDR");
                if (reusePort) {
                    SocketCalls.setInt(io, fd, OsConstants.SOL_SOCKET, OsConstants.SO_REUSEPORT, 1, "SO_REUSEPORT");
                }
                if (((InetSocketAddress) address).getAddress() instanceof Inet6Address) {
                    // Dual-stack when bound to the IPv6 wildcard, as Java's sockets do.
                    SocketCalls.setInt(io, fd, OsConstants.IPPROTO_IPV6, OsConstants.IPV6_V6ONLY, 0, "IPV6_V6ONLY");
                }
            }
            SocketCalls.bind(io, fd, address);
            SocketCalls.check(Sockets.listen(io.errno, fd, io.settings().backlog()), "listen on " + address);
            return new Listener(io, fd, tcp, SocketCalls.localAddress(io, fd));
        } catch (RuntimeException e) {
            LibC.close(io.errno, fd);
            throw e;
        }
    }

    /** The options accepted connections get (default: {@code atoll.io.socket}). */
    public Listener connectionOptions(SocketOptions options) {
        this.connectionOptions = Objects.requireNonNull(options, "options");
        return this;
    }

    /** The bound address, with the actual port when 0 was asked for. */
    public SocketAddress localAddress() {
        return address;
    }

    /** The bound port (TCP), or -1 (Unix). */
    public int port() {
        return address instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** {@link #accept(Duration)} without a timeout. */
    public Promise<Connection> accept() {
        return accept(null);
    }

    /**
     * The next connection, owned by this shard. Fails with an {@link IoException} naming the error when
     * the kernel refuses (e.g. {@code EMFILE} when the process is out of descriptors: the connection
     * stays queued, so retry later, not at once), or {@link IoCancelledException} when closed.
     */
    public Promise<Connection> accept(Duration timeout) {
        if (!open) {
            return Promise.failed(new IoCancelledException("accept on " + this + ": the listener is closed"));
        }
        if (acceptPromise != null || (!multishot && acceptOp.inFlight())) {
            throw new IllegalStateException("an accept is already in progress on " + this);
        }
        Promise<Connection> promise = new Promise<>();
        if (!multishot) {
            acceptPromise = promise;
            acceptOp.prepareAccept(fd);
            acceptOp.submit(timeout);
            return promise;
        }
        if (queueSize > 0) {
            int accepted = queued[queueHead];
            queueHead = (queueHead + 1) % queued.length;
            queueSize--;
            deliver(accepted, promise);
            return promise;
        }
        acceptPromise = promise;
        if (!acceptOp.inFlight()) {
            acceptOp.prepareAcceptMultishot(fd);
            acceptOp.submit(null); // the deadline belongs to this accept, not to the multishot
        }
        if (timeout != null) {
            acceptDeadline = io.shard().schedule(timeout, this::acceptTimedOut);
        }
        return promise;
    }

    private void acceptCompleted(IoOperation op, int result, boolean timedOut) {
        Promise<Connection> promise = acceptPromise;
        acceptPromise = null;
        if (result >= 0) {
            deliver(result, promise);
        } else {
            promise.fail(IoOperation.failure("accept", this, result, timedOut, open));
        }
    }

    /**
     * One step of the multishot accept: a connection (handed to the waiting caller, else queued), or its
     * end (an error for the waiting caller; a cancel, or a kernel's end without error, re-arms for a waiter).
     */
    private void multishotCompleted(IoOperation op, int result, boolean timedOut) {
        if (result >= 0) {
            if (!open) {
                LibC.close(io.errno, result); // taken while the listener was closing
            } else if (acceptPromise != null) {
                deliver(result, takeWaiter());
            } else {
                enqueue(result);
            }
        } else if (result != -Errno.ECANCELED && acceptPromise != null) {
            takeWaiter().fail(IoOperation.failure("accept", this, result, false, open));
        }
        if (!op.inFlight() && open && acceptPromise != null) {
            acceptOp.prepareAcceptMultishot(fd);
            acceptOp.submit(null);
        }
    }

    private Promise<Connection> takeWaiter() {
        Promise<Connection> promise = acceptPromise;
        acceptPromise = null;
        if (acceptDeadline != null) {
            acceptDeadline.cancel();
            acceptDeadline = null;
        }
        return promise;
    }

    private void acceptTimedOut() {
        acceptDeadline = null;
        Promise<Connection> promise = acceptPromise;
        acceptPromise = null;
        // The multishot goes on: a connection arriving later waits in the queue for the next accept.
        promise.fail(IoOperation.failure("accept", this, -Errno.ECANCELED, true, open));
    }

    private void enqueue(int accepted) {
        if (queueSize == queued.length) { // only while a pause is on its way to the kernel
            int[] larger = new int[queued.length * 2];
            for (int i = 0; i < queueSize; i++) {
                larger[i] = queued[(queueHead + i) % queued.length];
            }
            queued = larger;
            queueHead = 0;
        }
        queued[(queueHead + queueSize) % queued.length] = accepted;
        queueSize++;
        if (queueSize == QUEUE_LIMIT && acceptOp.inFlight()) {
            acceptOp.cancel(); // nobody is taking them: leave the rest in the kernel's backlog
        }
    }

    private void deliver(int accepted, Promise<Connection> promise) {
        try {
            SocketCalls.apply(io, accepted, connectionOptions, tcp);
        } catch (IoException e) {
            LibC.close(io.errno, accepted); // the peer went away already (EINVAL, ECONNRESET): drop just this one
            promise.fail(e);
            return;
        }
        promise.complete(new Connection(io, accepted, tcp));
    }

    /** Stops listening; an accept in progress fails with {@link IoCancelledException}. Open connections stay. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        io.closed(this);
        SocketCalls.close(io, fd);
        for (; queueSize > 0; queueSize--) {
            LibC.close(io.errno, queued[queueHead]);
            queueHead = (queueHead + 1) % queued.length;
        }
        if (multishot && acceptPromise != null) {
            takeWaiter().fail(new IoCancelledException("accept on " + this + ": it was closed"));
        }
    }

    public boolean isOpen() {
        return open;
    }

    @Override
    public String toString() {
        return "listener " + address + " on shard " + io.shard().id();
    }
}
