package dev.atoll.io;

import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.ffi.SocketAddresses;
import dev.atoll.shards.Promise;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A UDP socket (IPv4 or IPv6) on one shard: {@link #sendTo} sends one datagram to an address,
 * {@link #receiveFrom} receives one with its sender's address. One send and one receive may be in
 * progress at a time; buffers belong to the operation until its promise completes.
 */
public final class DatagramSocket implements IoShard.Resource {
    private final IoShard io;
    private final int fd;
    private final SocketAddress localAddress;
    private final IoOperation sendOp;
    private final IoOperation receiveOp;
    /** The destination of the send in flight; the sender of the receive in flight (with its length after it). */
    private final MemorySegment sendAddress;
    private final MemorySegment receiveSlot;
    private Buffer sendBuffer;
    private Promise<Integer> sendPromise;
    private Buffer receiveBuffer;
    private Promise<SocketAddress> receivePromise;
    private boolean open = true;

    private DatagramSocket(IoShard io, int fd) {
        this.io = io;
        this.fd = fd;
        this.localAddress = SocketCalls.localAddress(io, fd);
        Arena arena = Arena.ofAuto();
        this.sendAddress = arena.allocate(SocketAddresses.STORAGE_SIZE);
        this.receiveSlot = arena.allocate(SocketAddresses.SLOT_SIZE);
        this.sendOp = new IoOperation(io, this::sendCompleted, true);
        this.receiveOp = new IoOperation(io, this::receiveCompleted);
        io.opened(this);
    }

    /** A UDP socket bound to {@code local} (port 0: any free port), on the calling shard. */
    public static DatagramSocket bind(InetSocketAddress local) {
        Objects.requireNonNull(local, "local");
        IoShard io = IoShard.current();
        int fd = SocketCalls.open(io, SocketAddresses.family(local), OsConstants.SOCK_DGRAM);
        try {
            if (local.getAddress() instanceof Inet6Address) {
                SocketCalls.setInt(io, fd, OsConstants.IPPROTO_IPV6, OsConstants.IPV6_V6ONLY, 0, "IPV6_V6ONLY");
            }
            SocketCalls.bind(io, fd, local);
            return new DatagramSocket(io, fd);
        } catch (RuntimeException e) {
            LibC.close(io.errno, fd);
            throw e;
        }
    }

    /** {@link #sendTo(Buffer, InetSocketAddress, Duration)} without a timeout. */
    public Promise<Integer> sendTo(Buffer datagram, InetSocketAddress target) {
        return sendTo(datagram, target, null);
    }

    /** Sends {@code datagram}'s readable bytes as one datagram to {@code target}; completes with its length. */
    public Promise<Integer> sendTo(Buffer datagram, InetSocketAddress target, Duration timeout) {
        Objects.requireNonNull(datagram, "datagram");
        Objects.requireNonNull(target, "target");
        if (!open) {
            return Promise.failed(closed("send"));
        }
        if (sendOp.inFlight()) {
            throw new IllegalStateException("a send is already in progress on " + this);
        }
        int length = SocketAddresses.encode(target, sendAddress);
        datagram.lend();
        sendBuffer = datagram;
        sendPromise = new Promise<>();
        sendOp.prepareSendTo(fd, datagram.address() + datagram.readIndex(), datagram.readableBytes(), sendAddress, length);
        sendOp.submit(timeout);
        return sendPromise;
    }

    /** {@link #receiveFrom(Buffer, Duration)} without a timeout. */
    public Promise<SocketAddress> receiveFrom(Buffer buffer) {
        return receiveFrom(buffer, null);
    }

    /**
     * Receives one datagram, appended after {@code buffer}'s write index (the part of a longer one that
     * does not fit is lost); completes with the sender's address.
     */
    public Promise<SocketAddress> receiveFrom(Buffer buffer, Duration timeout) {
        Objects.requireNonNull(buffer, "buffer");
        if (!open) {
            return Promise.failed(closed("receive"));
        }
        if (receiveOp.inFlight()) {
            throw new IllegalStateException("a receive is already in progress on " + this);
        }
        buffer.lend();
        receiveBuffer = buffer;
        receivePromise = new Promise<>();
        receiveOp.prepareRecvFrom(fd, buffer.address() + buffer.writeIndex(), buffer.writableBytes(), receiveSlot);
        receiveOp.submit(timeout);
        return receivePromise;
    }

    private void sendCompleted(IoOperation op, int result, boolean timedOut) {
        Buffer buffer = sendBuffer;
        Promise<Integer> promise = sendPromise;
        sendBuffer = null;
        sendPromise = null;
        buffer.giveBackFromOperation();
        if (result >= 0) {
            buffer.advanceReader(result);
            promise.complete(result);
        } else {
            promise.fail(IoOperation.failure("send", this, result, timedOut, open));
        }
    }

    private void receiveCompleted(IoOperation op, int result, boolean timedOut) {
        Buffer buffer = receiveBuffer;
        Promise<SocketAddress> promise = receivePromise;
        receiveBuffer = null;
        receivePromise = null;
        buffer.giveBackFromOperation();
        if (result >= 0) {
            buffer.advanceWriter(result);
            int length = receiveSlot.get(JAVA_INT, SocketAddresses.SLOT_LENGTH_OFFSET);
            promise.complete(SocketAddresses.decode(receiveSlot, length));
        } else {
            promise.fail(IoOperation.failure("receive", this, result, timedOut, open));
        }
    }

    /** The bound address, with the actual port. */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) localAddress).getPort();
    }

    /** Closes the socket; operations in progress fail with {@link IoCancelledException}. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        io.closed(this);
        SocketCalls.close(io, fd);
    }

    /** A send is in flight: one a graceful stop waits for. */
    boolean sendInFlight() {
        return sendOp.inFlight();
    }

    @Override
    public String toString() {
        return "UDP socket " + localAddress + " on shard " + io.shard().id();
    }

    private IoException closed(String what) {
        return new IoCancelledException(what + " on " + this + ": the socket is closed");
    }
}
