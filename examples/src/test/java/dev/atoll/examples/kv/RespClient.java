package dev.atoll.examples.kv;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking RESP client for the tests: sends commands (or raw bytes) and reads replies as Java
 * values — String for +simple and bulk strings, {@link Error} for -errors, Long for :integers,
 * List for arrays, null for RESP2's null bulk string and array; of RESP3, {@link #RESP3_NULL} for
 * {@code _}, a Map for {@code %}, the text of a {@code =} verbatim string and a {@link RespSet} for {@code ~}.
 */
final class RespClient implements AutoCloseable {
    /** An error reply. */
    record Error(String text) { }

    /** RESP3's set ({@code ~}): its elements in the order they came, told apart from an array. */
    record RespSet(List<Object> elements) { }

    /** A RESP3 double ({@code ,text}), kept as its text. */
    record Resp3Double(String text) { }

    /** A RESP3 push ({@code >}): pub/sub messages and confirmations. */
    record Push(List<Object> items) { }

    /** RESP3's null ({@code _}), told apart from RESP2's. */
    static final Object RESP3_NULL = new Object() {
        @Override
        public String toString() {
            return "RESP3 null";
        }
    };

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespClient(int port) throws IOException {
        this("127.0.0.1", port, null, 0);
    }

    /** With a kernel receive buffer of {@code receiveBufferBytes} (0: the system's), so that little of what it does not read is buffered. */
    RespClient(int port, int receiveBufferBytes) throws IOException {
        this("127.0.0.1", port, null, receiveBufferBytes);
    }

    /** Connected to {@code host}, from {@code from} when it is not null (a loopback address of this host). */
    RespClient(String host, int port, String from) throws IOException {
        this(host, port, from, 0);
    }

    private RespClient(String host, int port, String from, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        if (from != null) {
            socket.bind(new InetSocketAddress(from, 0));
        }
        socket.connect(new InetSocketAddress(host, port), 10_000);
        socket.setSoTimeout(30_000);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends one command and returns its reply. */
    Object call(String... args) throws IOException {
        send(args);
        return read();
    }

    /** Sends one command without reading (for pipelining). */
    void send(String... args) throws IOException {
        out.write(encode(args));
        out.flush();
    }

    /** The socket's output, for a writer thread that sends while this client reads. */
    OutputStream output() {
        return out;
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    static byte[] encode(String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("the server closed the connection");
        }
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> new Error(line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    yield null;
                }
                byte[] data = in.readNBytes(length + 2);
                yield new String(data, 0, length, StandardCharsets.UTF_8);
            }
            case '_' -> RESP3_NULL;
            case ',' -> new Resp3Double(line);
            case '=' -> {
                byte[] data = in.readNBytes(Integer.parseInt(line) + 2);
                yield new String(data, 4, data.length - 6, StandardCharsets.UTF_8); // after "txt:"
            }
            case '%' -> {
                java.util.Map<Object, Object> map = new java.util.LinkedHashMap<>();
                for (int i = Integer.parseInt(line); i > 0; i--) {
                    map.put(read(), read());
                }
                yield map;
            }
            case '*', '~' -> {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    yield null;
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                yield type == '~' ? new RespSet(items) : items;
            }
            case '>' -> {
                List<Object> items = new ArrayList<>();
                for (int i = Integer.parseInt(line); i > 0; i--) {
                    items.add(read());
                }
                yield new Push(items);
            }
            default -> throw new IOException("not a RESP reply: '" + (char) type + line + "'");
        };
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("the server closed the connection in a reply");
            }
            b.write(c);
        }
        if (in.read() != '\n') {
            throw new IOException("a reply line without LF");
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** True when a reply (or the close) has arrived and {@link #read()} would not wait. */
    boolean replied() throws IOException {
        return in.available() > 0;
    }

    /** Sends the end of the stream (FIN) and keeps reading: the server sees the peer end. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** True when the server closed the connection (end of stream, or reset) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
