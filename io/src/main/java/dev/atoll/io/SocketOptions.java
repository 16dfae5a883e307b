package dev.atoll.io;

import java.time.Duration;

/**
 * Options applied to a TCP connection when it is accepted or connected; the defaults come from
 * {@code atoll.io.socket}. Unix-domain connections ignore the TCP-only ones ({@code noDelay},
 * {@code keepAlive}).
 *
 * @param noDelay       {@code TCP_NODELAY}: send small writes at once (no Nagle delay)
 * @param keepAlive     {@code SO_KEEPALIVE}: probe idle connections
 * @param sendBuffer    {@code SO_SNDBUF} in bytes; 0 keeps the system default
 * @param receiveBuffer {@code SO_RCVBUF} in bytes; 0 keeps the system default
 * @param linger        {@code SO_LINGER}: null for off; {@link Duration#ZERO} resets the connection on close
 */
public record SocketOptions(boolean noDelay, boolean keepAlive, int sendBuffer, int receiveBuffer, Duration linger) {

    public SocketOptions withNoDelay(boolean value) {
        return new SocketOptions(value, keepAlive, sendBuffer, receiveBuffer, linger);
    }

    public SocketOptions withKeepAlive(boolean value) {
        return new SocketOptions(noDelay, value, sendBuffer, receiveBuffer, linger);
    }

    public SocketOptions withSendBuffer(int bytes) {
        return new SocketOptions(noDelay, keepAlive, bytes, receiveBuffer, linger);
    }

    public SocketOptions withReceiveBuffer(int bytes) {
        return new SocketOptions(noDelay, keepAlive, sendBuffer, bytes, linger);
    }

    /** {@code null} turns lingering off; {@link Duration#ZERO} makes close() reset the connection. */
    public SocketOptions withLinger(Duration value) {
        return new SocketOptions(noDelay, keepAlive, sendBuffer, receiveBuffer, value);
    }
}
