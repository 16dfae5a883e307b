package dev.atoll.io;

import dev.atoll.drivers.Os;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server that accepts stream connections (TCP, or Unix domain) on every shard of a runtime and gives
 * each to a {@link ConnectionHandler} on the shard that owns it.
 *
 * <p>Two ways to spread connections ({@code atoll.io.tcp.accept}): every shard listens on the port with
 * {@code SO_REUSEPORT} and the kernel balances (Linux's default), or shard 0 accepts and hands each
 * connection to a shard, round-robin or to the one with the fewest open connections (macOS's default,
 * where {@code SO_REUSEPORT} does not balance, and the only way for Unix sockets).
 *
 * <p>Accepting survives running out of descriptors: on {@code EMFILE}, {@code ENFILE}, {@code ENOBUFS}
 * or {@code ENOMEM} it logs (at most once a minute), waits {@code atoll.io.tcp.accept-retry} and goes on,
 * so the shard keeps serving the connections it has without spinning.
 */
public final class TcpServer {
    private static final Logger log = LoggerFactory.getLogger(TcpServer.class);
    private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

    private final ShardRuntime runtime;
    private final ConnectionHandler handler;
    private final IoSettings.AcceptMode mode;
    private final IoSettings.Balance balance;
    /** The one shard that listens and keeps every connection ({@link #startOn}), or -1: every shard. */
    private final int onlyShard;
    /** Open connections per shard: incremented by the accepting shard, decremented by the owner at close. */
    private final AtomicIntegerArray connections;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong acceptErrors = new AtomicLong();
    /** Per listening shard; each element written and read only by its shard. */
    private final Listener[] listeners;
    private volatile SocketAddress boundAddress;
    private volatile boolean closed;
    private int nextShard;
    /** When an accept failure was last logged; shared by the listening shards, claimed by compare-and-set. */
    private final AtomicLong lastErrorLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    private TcpServer(ShardRuntime runtime, ConnectionHandler handler, IoSettings.AcceptMode mode,
                      IoSettings.Balance balance, int onlyShard) {
        this.runtime = runtime;
        this.handler = handler;
        this.mode = mode;
        this.balance = balance;
        this.onlyShard = onlyShard;
        this.connections = new AtomicIntegerArray(runtime.shardCount());
        this.listeners = new Listener[runtime.shardCount()];
    }

    /**
     * Starts listening on {@code address} (port 0: one free port shared by all shards) and completes
     * once every listener is ready; fails with the bind error (e.g. {@code EADDRINUSE}) otherwise.
     * Callable from any thread.
     */
    public static CompletableFuture<TcpServer> start(ShardRuntime runtime, SocketAddress address,
                                                     ConnectionHandler handler) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(handler, "handler");
        IoSettings settings = IoSettings.from(runtime.config());
        IoSettings.AcceptMode mode = address instanceof InetSocketAddress
                ? settings.effectiveAcceptMode(Os.current() == Os.LINUX) : IoSettings.AcceptMode.ACCEPTOR;
        TcpServer server = new TcpServer(runtime, handler, mode, settings.balance(), -1);
        return server.listenOn(0, address).thenCompose(bound -> {
            server.boundAddress = bound;
            if (mode == IoSettings.AcceptMode.ACCEPTOR) {
                return CompletableFuture.completedFuture(server);
            }
            List<CompletableFuture<SocketAddress>> others = new ArrayList<>();
            for (int shard = 1; shard < runtime.shardCount(); shard++) {
                others.add(server.listenOn(shard, bound));
            }
            return CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).thenApply(ignored -> server);
        }).whenComplete((ignored, failure) -> {
            if (failure != null) {
                server.close();
            }
        });
    }

    /**
     * Starts listening on {@code address} on shard {@code shard} alone, which keeps every connection: a
     * shard-aware port, as ScyllaDB's are, for clients that know which shard holds their data and so
     * cost no hop between cores. Reports {@link IoSettings.AcceptMode#ACCEPTOR} (its one shard accepts).
     * Completes once listening; fails with the bind error otherwise. Callable from any thread.
     */
    public static CompletableFuture<TcpServer> startOn(ShardRuntime runtime, int shard, SocketAddress address,
                                                       ConnectionHandler handler) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(handler, "handler");
        Objects.checkIndex(shard, runtime.shardCount());
        TcpServer server = new TcpServer(runtime, handler, IoSettings.AcceptMode.ACCEPTOR,
                IoSettings.from(runtime.config()).balance(), shard);
        return server.listenOn(shard, address).thenApply(bound -> {
            server.boundAddress = bound;
            return server;
        }).whenComplete((ignored, failure) -> {
            if (failure != null) {
                server.close();
            }
        });
    }

    private CompletableFuture<SocketAddress> listenOn(int shard, SocketAddress address) {
        return runtime.submit(shard, () -> {
            Listener listener = Listener.bind(address, mode == IoSettings.AcceptMode.REUSE_PORT && onlyShard < 0);
            listeners[shard] = listener;
            acceptNext(listener);
            return listener.localAddress();
        });
    }

    private void acceptNext(Listener listener) {
        if (!listener.isOpen()) {
            return;
        }
        listener.accept().whenComplete((connection, failure) -> {
            if (failure == null) {
                accepted.incrementAndGet();
                dispatch(connection);
                acceptNext(listener);
            } else if (failure instanceof IoCancelledException) {
                return; // the listener was closed
            } else {
                acceptFailed(listener, failure);
            }
        });
    }

    private void acceptFailed(Listener listener, Throwable failure) {
        acceptErrors.incrementAndGet();
        int errno = failure instanceof IoException e ? e.errno() : 0;
        boolean exhausted = errno == OsConstants.EMFILE || errno == OsConstants.ENFILE
                || errno == OsConstants.ENOBUFS || errno == OsConstants.ENOMEM;
        if (errno == OsConstants.ECONNABORTED) {
            acceptNext(listener); // that peer gave up while queued; the next one is fine
            return;
        }
        long now = System.nanoTime();
        long last = lastErrorLogNanos.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastErrorLogNanos.compareAndSet(last, now)) {
            log.warn("{}: {}; accepting again in {} (logged at most once a minute; {} accept errors so far)",
                    listener, failure.getMessage(), retryDelay(), acceptErrors.get());
        }
        if (!exhausted) {
            log.debug("unexpected accept failure on {}", listener, failure);
        }
        Shard.current().schedule(retryDelay(), () -> acceptNext(listener));
    }

    private java.time.Duration retryDelay() {
        return IoShard.current().settings().acceptRetry();
    }

    /** On the accepting shard: keep the connection here (reuse-port) or hand it to the chosen shard. */
    private void dispatch(Connection connection) {
        int here = connection.shard().id();
        int target = onlyShard < 0 && mode == IoSettings.AcceptMode.ACCEPTOR ? chooseShard() : here;
        connections.incrementAndGet(target);
        connection.onClose(() -> connections.decrementAndGet(target));
        if (target == here) {
            handle(connection);
        } else {
            connection.moveTo(target, this::handle);
        }
    }

    private int chooseShard() {
        int shards = connections.length();
        if (balance == IoSettings.Balance.ROUND_ROBIN) {
            int shard = nextShard;
            nextShard = (shard + 1) % shards;
            return shard;
        }
        int best = 0;
        for (int shard = 1; shard < shards; shard++) {
            if (connections.get(shard) < connections.get(best)) {
                best = shard;
            }
        }
        return best;
    }

    private void handle(Connection connection) {
        try {
            handler.onConnection(connection);
        } catch (Throwable t) {
            connection.callbackFailed("ConnectionHandler.onConnection", t);
        }
    }

    /** The bound address (with the actual port when 0 was asked for). */
    public SocketAddress localAddress() {
        return boundAddress;
    }

    /** The bound TCP port, or -1 for a Unix socket. */
    public int port() {
        return boundAddress instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** How connections are spread: reuse-port or acceptor. */
    public IoSettings.AcceptMode acceptMode() {
        return mode;
    }

    /** Connections accepted so far. */
    public long accepted() {
        return accepted.get();
    }

    /** Accept failures so far (each followed by a pause, see the class comment). */
    public long acceptErrors() {
        return acceptErrors.get();
    }

    /** Open connections this server accepted, per shard. */
    public int openConnections(int shard) {
        return connections.get(shard);
    }

    /**
     * Stops listening on every shard (connections stay open, owned by their handlers); completes when
     * every listener is closed. Callable from any thread, more than once.
     */
    public CompletableFuture<Void> close() {
        closed = true;
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int shard = 0; shard < listeners.length; shard++) {
            int s = shard;
            all.add(runtime.submit(s, () -> {
                Listener listener = listeners[s];
                if (listener != null) {
                    listener.close();
                }
                return (Void) null;
            }).exceptionally(failure -> null)); // a stopped shard closed its listeners itself
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "TcpServer " + boundAddress + " (" + mode + ")";
    }
}
