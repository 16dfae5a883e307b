package dev.atoll.io;

import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.ffi.SocketAddresses;
import dev.atoll.drivers.ffi.Sockets;
import dev.atoll.shards.Promise;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A listening stream socket (TCP or Unix domain) on one shard; {@link #accept()} takes one connection
 * at a time, owned by this shard. {@link TcpServer} runs listeners on several shards and the accept
 * loop; use a listener directly for full control.
 */
public final class Listener implements IoShard.Resource {
    static {
        // When accept fails for lack of descriptors (EMFILE), no class file can be opened, so a class first
        // needed by that failure (naming the errno loads LinuxConstants or MacosConstants) fails to load and
        // the NoClassDefFoundError stops the shard. Load what the failure path uses now.
        new IoException("accept", OsConstants.EMFILE).errnoName();
    }

    private final IoShard io;
    private final int fd;
    private final boolean tcp;
    private final SocketAddress address;
    private final IoOperation acceptOp;
    private SocketOptions connectionOptions;
    private Promise<Connection> acceptPromise;
    private boolean open = true;

    private Listener(IoShard io, int fd, boolean tcp, SocketAddress address) {
        this.io = io;
        this.fd = fd;
        this.tcp = tcp;
        this.address = address;
        this.connectionOptions = io.settings().socketOptions();
        this.acceptOp = new IoOperation(io, this::acceptCompleted);
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
        if (acceptOp.inFlight()) {
            throw new IllegalStateException("an accept is already in progress on " + this);
        }
        acceptPromise = new Promise<>();
        acceptOp.prepareAccept(fd);
        acceptOp.submit(timeout);
        return acceptPromise;
    }

    private void acceptCompleted(IoOperation op, int result, boolean timedOut) {
        Promise<Connection> promise = acceptPromise;
        acceptPromise = null;
        if (result >= 0) {
            try {
                SocketCalls.apply(io, result, connectionOptions, tcp);
            } catch (IoException e) {
                LibC.close(io.errno, result); // the peer went away already (EINVAL, ECONNRESET): drop just this one
                promise.fail(e);
                return;
            }
            promise.complete(new Connection(io, result, tcp));
        } else {
            promise.fail(IoOperation.failure("accept", this, result, timedOut, open));
        }
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
    }

    public boolean isOpen() {
        return open;
    }

    @Override
    public String toString() {
        return "listener " + address + " on shard " + io.shard().id();
    }
}
