package dev.atoll.examples.kv;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One shard's {@code MONITOR} clients, and the feed every shard sends them: a line per command a
 * connection runs, as Redis 7.0 writes it — {@code +1700000000.123456 [0 127.0.0.1:50000] "SET" "k" "v"}
 * — the arguments quoted as Redis's {@code sdscatrepr} quotes them, {@code AUTH}'s and {@code HELLO ...
 * AUTH}'s credentials {@code "(redacted)"}, administration commands ({@code CONFIG}, {@code DEBUG},
 * {@code SLOWLOG} ...) and refused ones not shown, a transaction's commands shown when {@code EXEC}
 * runs them, before it; a command's line follows its reply on a monitoring connection itself.
 *
 * <p>A line is formatted on the shard of the connection that sent the command, once it dispatched it,
 * and goes to the monitors of this shard at once and to each other shard that has one as a mesh
 * message (a shard whose queue is full drops it). So the lines of one connection reach a monitor in that connection's order; lines of
 * connections on different shards interleave as they arrive (Redis, one thread, has one order).
 * Feeding costs nothing while nobody monitors: one volatile read per command. With a
 * monitor, each command allocates its line (and a copy per shard it goes to): MONITOR is for looking
 * at a server, as Redis's documentation warns of its cost there too.
 *
 * <p>A monitoring connection may still run commands that touch no key ({@code PING}, {@code INFO},
 * {@code RESET}, {@code QUIT} ...); one that does is refused with Redis's {@code ERR Replica can't
 * interact with the keyspace}. {@code MONITOR} again is ignored without a reply, as Redis ignores it;
 * {@code RESET} ends monitoring. Touched by its shard's thread, except the counts.
 */
final class Monitors {
    private static final byte[] REDACTED = ReplyWriter.asciiBytes("(redacted)");
    private static final byte[] AUTH = ReplyWriter.asciiBytes("auth");

    private final KvShard shard;
    /** The server's shards, and its count of monitors over all of them; set at the shard's start. */
    private KvNode node;
    private final List<KvConnection> local = new ArrayList<>();
    /** This shard's monitors, for the other shards' feeds (volatile: written on MONITOR and on a monitor's end). */
    private volatile int count;

    Monitors(KvShard shard) {
        this.shard = shard;
    }

    void start(KvNode node) {
        this.node = node;
    }

    /** Whether any connection of the server monitors (one volatile read, on every command). */
    boolean any() {
        return node != null && node.monitors.get() > 0; // null: a shard not started (a test's)
    }

    /** MONITOR: {@code c}, a connection of this shard, receives every shard's feed from now on. */
    void add(KvConnection c) {
        local.add(c);
        count = local.size();
        node.monitors.incrementAndGet();
    }

    /** RESET or the connection's end: it receives no more lines. */
    void remove(KvConnection c) {
        if (local.remove(c)) {
            count = local.size();
            node.monitors.decrementAndGet();
        }
    }

    /** Sends the line of command {@code r} of connection {@code source} (of this shard) to every monitor. */
    void feed(KvConnection source, Request r) {
        byte[] line = line(source.address(true), r);
        deliver(line);
        for (KvShard other : node.shards) {
            if (other != shard && other.monitors.count > 0) {
                KvShard target = other;
                shard.shard().send(target.id, () -> target.monitors.deliver(line)); // a full queue drops the line
            }
        }
    }

    private void deliver(byte[] line) {
        for (int i = 0; i < local.size(); i++) {
            KvConnection c = local.get(i);
            ReplyWriter out = c.pushOut();
            if (out != null) {
                out.raw(line);
                shard.pubsub.pushed(c);
            }
        }
    }

    /** {@code +seconds.micros [0 address] "arg" ...\r\n}, the credentials of AUTH and HELLO's AUTH redacted. */
    static byte[] line(String address, Request r) {
        Instant now = Instant.now();
        StringBuilder line = new StringBuilder(64).append('+').append(now.getEpochSecond()).append('.')
                .append(String.format("%06d", now.getNano() / 1000)).append(" [0 ").append(address).append(']');
        boolean auth = r.is(0, AUTH);
        int redactFrom = auth ? 1 : Integer.MAX_VALUE;
        if (!auth && Command.lookup(r) == Command.HELLO) {
            for (int i = 2; i < r.count(); i++) {
                if (r.is(i, AUTH)) {
                    redactFrom = i + 1;
                    break;
                }
            }
        }
        for (int i = 0; i < r.count(); i++) {
            line.append(' ');
            boolean redacted = i >= redactFrom && (auth || i < redactFrom + 2);
            if (redacted) {
                quote(line, REDACTED, 0, REDACTED.length);
            } else {
                quote(line, r.bytes, r.offset(i), r.length(i));
            }
        }
        return line.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Redis's {@code sdscatrepr}: in double quotes, {@code \\ \" \n \r \t \a \b} escaped, other unprintable bytes as {@code \xhh}. */
    static void quote(StringBuilder s, byte[] b, int offset, int length) {
        s.append('"');
        for (int i = offset; i < offset + length; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '"' -> s.append("\\\"");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case 7 -> s.append("\\a");
                case '\b' -> s.append("\\b");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        s.append((char) c);
                    } else {
                        s.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    }
                }
            }
        }
        s.append('"');
    }
}
