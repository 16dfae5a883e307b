package dev.atoll.examples.kv;

import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.io.IoTimeoutException;

import java.io.ByteArrayOutputStream;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password] [AUTH2 username password]
 * [KEYS key ...]: moves keys to another Redis server as Redis 7.0 does, their DUMP payloads sent as RESTOREs,
 * with its replies and errors. Redis blocks its whole server for the exchange; here it is a {@link CrossCommand}
 * whose {@link Transaction} holds the keys' locks throughout, so no other command sees or changes a key
 * between its dump and its deletion, and the shards go on serving every other key:
 *
 * <ol>
 *   <li>first round: each key's owner dumps it (its payload and what is left of its TTL); an absent key is
 *       skipped, and none at all answers {@code NOKEY};</li>
 *   <li>on the coordinator: AUTH, SELECT (unless the cached connection selected that database last) and the
 *       RESTOREs in one write, then one reply line each, over a connection cached per target
 *       ({@link MigrateTargets}); a socket error before the first RESTORE's reply (not a timeout) closes it
 *       and tries once more on a new one, as Redis does;</li>
 *   <li>second round, unless COPY: the keys the target acknowledged are deleted and logged (Redis logs
 *       MIGRATE as their DEL).</li>
 * </ol>
 */
final class MigrateCommand extends CrossCommand {
    private static final byte[] COPY = ReplyWriter.asciiBytes("copy");
    private static final byte[] REPLACE = ReplyWriter.asciiBytes("replace");
    private static final byte[] AUTH = ReplyWriter.asciiBytes("auth");
    private static final byte[] AUTH2 = ReplyWriter.asciiBytes("auth2");
    private static final byte[] KEYS = ReplyWriter.asciiBytes("keys");
    private static final byte[] AUTH_COMMAND = ReplyWriter.asciiBytes("AUTH");
    private static final byte[] SELECT_COMMAND = ReplyWriter.asciiBytes("SELECT");
    private static final byte[] RESTORE_COMMAND = ReplyWriter.asciiBytes("RESTORE");
    private static final byte[] REPLACE_ARGUMENT = ReplyWriter.asciiBytes("REPLACE");
    /** Redis reads each reply line into a buffer of this size. */
    private static final int MAX_LINE = 1024;

    private final String host;
    private final int port;
    private final long db;
    private final Duration timeout;
    private final boolean copy;
    private final boolean replace;
    private final byte[] username;
    private final byte[] password;
    /** From the first round, per key: its payload (null: absent) and the milliseconds left of its TTL (0: none). */
    private final byte[][] payloads;
    private final long[] ttls;

    private MigrateCommand(KvNode node, byte[][] keys, String host, int port, long db, long timeoutMillis,
                           boolean copy, boolean replace, byte[] username, byte[] password) {
        super(node, keys);
        this.host = host;
        this.port = port;
        this.db = db;
        this.timeout = Duration.ofMillis(timeoutMillis);
        this.copy = copy;
        this.replace = replace;
        this.username = username;
        this.password = password;
        this.payloads = new byte[keys.length][];
        this.ttls = new long[keys.length];
    }

    /** The MIGRATE of {@code r}; null when it was answered at once into {@code out} (an argument error), as Redis checks them. */
    static MigrateCommand of(KvNode node, Request r, ReplyWriter out) {
        boolean copy = false;
        boolean replace = false;
        byte[] username = null;
        byte[] password = null;
        int firstKey = 3;
        int keyCount = 1;
        for (int j = 6; j < r.count(); j++) {
            int more = r.count() - 1 - j;
            if (r.is(j, COPY)) {
                copy = true;
            } else if (r.is(j, REPLACE)) {
                replace = true;
            } else if (r.is(j, AUTH) && more >= 1) {
                password = r.copy(++j);
            } else if (r.is(j, AUTH2) && more >= 2) {
                username = r.copy(++j);
                password = r.copy(++j);
            } else if (r.is(j, KEYS)) {
                if (r.length(3) != 0) {
                    out.error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
                    return null;
                }
                firstKey = j + 1;
                keyCount = r.count() - j - 1;
                break;
            } else {
                out.error(KvShard.SYNTAX);
                return null;
            }
        }
        if (!r.longAt(5)) {
            out.error(KvShard.NOT_INTEGER);
            return null;
        }
        long timeoutMillis = r.number <= 0 ? 1000 : r.number;
        if (!r.longAt(4)) {
            out.error(KvShard.NOT_INTEGER);
            return null;
        }
        long db = r.number;
        byte[][] keys = new byte[keyCount][];
        for (int k = 0; k < keyCount; k++) {
            keys[k] = r.copy(firstKey + k);
        }
        return new MigrateCommand(node, keys, r.string(1), atoi(r.string(2)), db, timeoutMillis, copy, replace,
                username, password);
    }

    /** C's atoi, as Redis reads the port: the leading digits, 0 when there are none (a connect that fails). */
    private static int atoi(String text) {
        long value = 0;
        int i = 0;
        boolean negative = i < text.length() && text.charAt(i) == '-';
        if (negative || i < text.length() && text.charAt(i) == '+') {
            i++;
        }
        while (i < text.length() && Character.isDigit(text.charAt(i)) && value <= 65_535) {
            value = value * 10 + (text.charAt(i++) - '0');
        }
        return negative || value > 65_535 ? 0 : (int) value;
    }

    @Override
    Transaction.Work first() {
        return eachOwned(0, keys.length, (k, shard, e, now) -> {
            if (e == null) {
                return;
            }
            payloads[k] = DumpPayload.dump(e, shard.rdbCompression());
            long expireAt = shard.table.expireAt(e);
            ttls[k] = expireAt == 0 ? 0 : Math.max(1, expireAt - now);
        });
    }

    @Override
    void then(Transaction tx, ReplyWriter out, Runnable done) {
        int found = 0;
        for (byte[] payload : payloads) {
            found += payload != null ? 1 : 0;
        }
        if (found == 0) {
            out.simple("NOKEY");
            done.run();
            return;
        }
        new Exchange(tx, out, done, node.local().migrateTargets).attempt(true);
    }

    /** One MIGRATE's exchange with its target, on the coordinator; ends by answering and running {@code done} once. */
    private final class Exchange {
        private final Transaction tx;
        private final ReplyWriter out;
        private final Runnable done;
        private final MigrateTargets targets;
        private final BufferPool pool = BufferPool.current();
        private MigrateTargets.Target target;
        private boolean select;
        /** The replies to read: AUTH's and SELECT's ({@link #prefix} of them), then a RESTORE's per key found. */
        private int expected;
        private int prefix;
        private boolean answered;
        private final List<String> lines = new ArrayList<>();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Exchange(Transaction tx, ReplyWriter out, Runnable done, MigrateTargets targets) {
            this.tx = tx;
            this.out = out;
            this.done = done;
            this.targets = targets;
        }

        void attempt(boolean mayRetry) {
            targets.take(host, port, timeout).whenComplete((taken, error) -> guarded(() -> {
                if (error instanceof UnknownHostException) {
                    answer("IOERR error or timeout connecting to the client");
                    return;
                }
                if (error != null) { // Redis's connect waits only for writability: its write reports the refusal
                    socketError(error, true, mayRetry);
                    return;
                }
                target = taken;
                lines.clear();
                line.reset();
                write(request(), 0, mayRetry);
            }));
        }

        /** AUTH and SELECT if needed, then a RESTORE of each key found. */
        private ReplyWriter request() {
            ReplyWriter request = new ReplyWriter(256);
            expected = 0;
            if (password != null) {
                request.arrayHeader(username != null ? 3 : 2).bulk(AUTH_COMMAND);
                if (username != null) {
                    request.bulk(username);
                }
                request.bulk(password);
                expected++;
            }
            select = target.selectedDb != db;
            if (select) {
                request.arrayHeader(2).bulk(SELECT_COMMAND).bulkDecimal(db);
                expected++;
            }
            prefix = expected;
            for (int k = 0; k < keys.length; k++) {
                if (payloads[k] != null) {
                    request.arrayHeader(replace ? 5 : 4).bulk(RESTORE_COMMAND).bulk(keys[k]).bulkDecimal(ttls[k])
                            .bulk(payloads[k]);
                    if (replace) {
                        request.bulk(REPLACE_ARGUMENT);
                    }
                    expected++;
                }
            }
            return request;
        }

        /** Writes {@code request} from {@code from}, a pooled buffer at a time, then reads the replies. */
        private void write(ReplyWriter request, int from, boolean mayRetry) {
            if (from == request.size()) {
                read(mayRetry);
                return;
            }
            int n = Math.min(request.size() - from, pool.maxBufferSize());
            Buffer buffer = pool.acquire(n).writeBytes(request.bytes(), from, n);
            target.connection.writeAll(buffer, timeout).whenComplete((ignored, error) -> guarded(() -> {
                buffer.release();
                if (error != null) {
                    socketError(error, true, mayRetry);
                } else {
                    write(request, from + n, mayRetry);
                }
            }));
        }

        private void read(boolean mayRetry) {
            Buffer buffer = pool.acquire(4096);
            target.connection.read(buffer, timeout).whenComplete((count, error) -> guarded(() -> {
                if (error != null || count < 0) {
                    buffer.release();
                    socketError(error, false, mayRetry && lines.size() <= prefix);
                    return;
                }
                for (int i = buffer.readIndex(); i < buffer.writeIndex() && lines.size() < expected; i++) {
                    byte b = buffer.getByte(i);
                    if (b == '\n') {
                        byte[] text = line.toByteArray();
                        int length = Math.min(text.length > 0 && text[text.length - 1] == '\r' ? text.length - 1
                                : text.length, MAX_LINE - 1);
                        lines.add(new String(text, 0, length, StandardCharsets.ISO_8859_1));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
                buffer.release();
                if (lines.size() < expected) {
                    read(mayRetry);
                } else {
                    replies(false);
                }
            }));
        }

        /** A write or a read failed: retried once on a new connection when Redis would, else answered. */
        private void socketError(Throwable error, boolean writing, boolean mayRetry) {
            if (target != null) {
                target.close();
                target = null;
            }
            if (mayRetry && !(error instanceof IoTimeoutException)) {
                attempt(false);
            } else if (writing || lines.size() < prefix) {
                answer("IOERR error or timeout " + (writing ? "writing" : "reading") + " to target instance");
            } else {
                replies(true); // some RESTOREs may have been answered: their keys go, then the error
            }
        }

        /**
         * The replies read ({@code cut}: the connection failed after some): the first error of AUTH, SELECT or a
         * RESTORE is the answer, as Redis gives it; each RESTORE acknowledged deletes its key unless COPY.
         */
        private void replies(boolean cut) {
            int at = 0;
            String auth = password != null ? lines.get(at++) : null;
            String selected = select ? lines.get(at++) : null;
            String targetError = null;
            boolean[] acknowledged = new boolean[keys.length];
            int acknowledgedCount = 0;
            for (int k = 0; k < keys.length && at < lines.size(); k++) {
                if (payloads[k] == null) {
                    continue;
                }
                String restored = lines.get(at++);
                if (auth != null && auth.startsWith("-") || selected != null && selected.startsWith("-")
                        || restored.startsWith("-")) {
                    if (targetError == null) {
                        targetError = auth != null && auth.startsWith("-") ? auth
                                : selected != null && selected.startsWith("-") ? selected : restored;
                    }
                } else if (!copy) {
                    acknowledged[k] = true;
                    acknowledgedCount++;
                }
            }
            String error = targetError != null ? "ERR Target instance replied with error: " + targetError.substring(1)
                    : cut ? "IOERR error or timeout reading to target instance" : null;
            if (!cut) { // after an error the database selected is in doubt: the next MIGRATE selects again
                target.selectedDb = targetError == null ? db : -1;
                targets.release(host, port, target);
            }
            if (acknowledgedCount == 0) {
                answer(error);
                return;
            }
            tx.round((part, shard, now) -> {
                for (int k = 0; k < keys.length; k++) {
                    if (acknowledged[k] && owner(keys[k]) == part.shard) {
                        KeyTable.Entry e = shard.live(keys[k], 0, keys[k].length, now);
                        if (e != null) {
                            shard.remove(e);
                            shard.events.send(KeyspaceEvents.GENERIC, "del", keys[k], 0, keys[k].length);
                        }
                    }
                }
            }, () -> answer(error));
        }

        /** The reply ({@code error} null: OK), then the transaction goes on; once. */
        private void answer(String error) {
            if (answered) {
                return;
            }
            answered = true;
            if (error == null) {
                out.ok();
            } else {
                ErrorStats.answerFailed(Command.MIGRATE, out, error);
            }
            done.run();
        }

        /** A step of the exchange; a failure in it answers the client rather than leave the keys locked. */
        private void guarded(Runnable step) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (target != null) {
                    target.close();
                }
                answer("ERR MIGRATE failed: " + e);
            }
        }
    }
}
