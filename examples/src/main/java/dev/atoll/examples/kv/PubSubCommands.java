package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB and the shard channels' SSUBSCRIBE,
 * SUNSUBSCRIBE and SPUBLISH (a namespace of their own, {@link KvShard#shardPubSub}: Redis 7.0 places a
 * shard channel on the cluster node of its slot; here every shard serves every channel, as a
 * single Redis does, and shard-aware clients reach the channel's shard by its slot), with Redis 7.0's replies: the
 * (un)subscribe confirmations are pushes ({@code >} in RESP3, arrays in RESP2), a RESP2 connection with
 * subscriptions may send only the commands of {@link #allowedWhileSubscribed}. A subscription is kept
 * by the connection's shard ({@link PubSub}); a PUBLISH delivers to its own shard's subscribers at once
 * and sends the message to each other shard whose summary says it may have one, and answers the sum of
 * the receivers once every shard counted its own.
 */
final class PubSubCommands {
    private static final byte[] SUBSCRIBE = ReplyWriter.asciiBytes("subscribe");
    private static final byte[] UNSUBSCRIBE = ReplyWriter.asciiBytes("unsubscribe");
    private static final byte[] PSUBSCRIBE = ReplyWriter.asciiBytes("psubscribe");
    private static final byte[] PUNSUBSCRIBE = ReplyWriter.asciiBytes("punsubscribe");
    private static final byte[] SSUBSCRIBE = ReplyWriter.asciiBytes("ssubscribe");
    private static final byte[] SUNSUBSCRIBE = ReplyWriter.asciiBytes("sunsubscribe");

    private PubSubCommands() {
    }

    /** The commands a RESP2 connection with subscriptions may send (Redis's "context" rule). */
    static boolean allowedWhileSubscribed(Command command) {
        return switch (command) {
            case SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PING, QUIT, RESET -> true;
            default -> false;
        };
    }

    static String notAllowed(Command command) {
        return "ERR Can't execute '" + command.lowerName + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                + "RESET are allowed in this context";
    }

    /** Runs a pub/sub command of {@code c}; returns the pending reply, or null when answered into {@code out}. */
    static ReplySource execute(KvNode node, KvConnection c, Command command, Request r, ReplyWriter out) {
        switch (command) {
            case SUBSCRIBE -> subscribe(c, c.home.pubsub, false, SUBSCRIBE, r, out);
            case PSUBSCRIBE -> subscribe(c, c.home.pubsub, true, PSUBSCRIBE, r, out);
            case SSUBSCRIBE -> subscribe(c, c.home.shardPubSub, false, SSUBSCRIBE, r, out);
            case UNSUBSCRIBE -> unsubscribe(c, c.home.pubsub, false, UNSUBSCRIBE, r, out);
            case PUNSUBSCRIBE -> unsubscribe(c, c.home.pubsub, true, PUNSUBSCRIBE, r, out);
            case SUNSUBSCRIBE -> unsubscribe(c, c.home.shardPubSub, false, SUNSUBSCRIBE, r, out);
            case PUBLISH -> {
                return publish(node, c, shard -> shard.pubsub, r, out);
            }
            case SPUBLISH -> {
                return publish(node, c, shard -> shard.shardPubSub, r, out);
            }
            case PUBSUB -> {
                return pubsub(node, c, r, out);
            }
            default -> throw new IllegalArgumentException(command + " is not a pub/sub command");
        }
        return null;
    }

    /** The count a (un)subscription of {@code kind} confirms with: shard channels count apart, as in Redis 7.0. */
    private static int count(PubSub.Subscriptions own, byte[] kind) {
        return kind == SSUBSCRIBE || kind == SUNSUBSCRIBE ? own.shardChannels.size() : own.count();
    }

    private static void subscribe(KvConnection c, PubSub local, boolean pattern, byte[] kind, Request r, ReplyWriter out) {
        for (int i = 1; i < r.count(); i++) {
            PubSub.Name name = PubSub.Name.copyOf(r.bytes, r.offset(i), r.length(i));
            local.subscribe(c, name, pattern);
            confirm(out, kind, name.bytes, count(c.subscriptions(), kind));
        }
    }

    private static void unsubscribe(KvConnection c, PubSub local, boolean pattern, byte[] kind, Request r, ReplyWriter out) {
        PubSub.Subscriptions own = c.subscriptions();
        if (r.count() == 1) {
            Set<PubSub.Name> all = kind == SUNSUBSCRIBE ? own.shardChannels : pattern ? own.patterns : own.channels;
            if (all.isEmpty()) {
                confirm(out, kind, null, count(own, kind));
            }
            for (PubSub.Name name : List.copyOf(all)) {
                local.unsubscribe(c, name, pattern);
                confirm(out, kind, name.bytes, count(own, kind));
            }
        } else {
            for (int i = 1; i < r.count(); i++) {
                PubSub.Name name = new PubSub.Name(r.bytes, r.offset(i), r.length(i));
                local.unsubscribe(c, name, pattern);
                confirm(out, kind, name.copy(), count(own, kind));
            }
        }
    }

    private static void confirm(ReplyWriter out, byte[] kind, byte[] name, int count) {
        out.pushHeader(3).bulk(kind);
        if (name == null) {
            out.nullBulk();
        } else {
            out.bulk(name);
        }
        out.integer(count);
    }

    /**
     * Delivers here, sends the message to the other shards that may have a subscriber (after this
     * shard's batches, so that it reaches them behind the publisher's earlier commands), and answers
     * the receivers over all shards. A shard whose mesh queue refuses it makes the reply an error.
     */
    private static ReplySource publish(KvNode node, KvConnection c, Function<KvShard, PubSub> namespace, Request r,
                                       ReplyWriter out) {
        PubSub.Name channel = new PubSub.Name(r.bytes, r.offset(1), r.length(1));
        PubSub local = namespace.apply(c.home);
        long here = local.deliver(channel, r.bytes, r.offset(2), r.length(2));
        int count = local.othersThatMayReceive(node, channel.hash);
        if (count == 0) {
            out.integer(here);
            return null;
        }
        int home = c.home.id;
        Publish pending = new Publish(c, out.resp3(), here, count);
        c.home.batches.sendAll();
        local.sendToOthers(node, count, PubSub.Name.copyOf(r.bytes, r.offset(1), r.length(1)), r.copy(2),
                n -> Shard.current().sendReply(home, () -> pending.arrived(n, -1)), refused -> pending.arrived(0, refused));
        return pending;
    }

    /** A PUBLISH waiting for the other shards' counts of receivers. */
    private static final class Publish extends PendingReply {
        private long receivers;
        private int remaining;
        private int refusedBy = -1;

        Publish(KvConnection connection, boolean resp3, long receivers, int remaining) {
            super(connection, resp3);
            this.receivers = receivers;
            this.remaining = remaining;
        }

        /** A shard counted {@code n} receivers, or ({@code refused} ≥ 0) that shard's mesh queue was full. */
        void arrived(long n, int refused) {
            receivers += n;
            if (refused >= 0) {
                refusedBy = refused;
            }
            if (--remaining == 0) {
                if (refusedBy >= 0) {
                    reply.error("ERR shard " + refusedBy + " is overloaded, try again (the message reached "
                            + receivers + " subscribers)");
                } else {
                    reply.integer(receivers);
                }
                complete();
            }
        }
    }

    /** PUBSUB CHANNELS [pattern], NUMSUB [channel ...], NUMPAT, HELP: every shard's part combined. */
    private static ReplySource pubsub(KvNode node, KvConnection c, Request r, ReplyWriter out) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        int[] all = new int[node.shardCount()];
        Arrays.setAll(all, i -> i);
        switch (sub) {
            case "channels", "shardchannels" -> {
                if (r.count() > 3) {
                    break;
                }
                byte[] pattern = r.count() == 3 ? r.copy(2) : null;
                boolean sharded = sub.equals("shardchannels");
                return FanOut.start(node, c, out.resp3(), all,
                        shard -> (sharded ? shard.shardPubSub : shard.pubsub).channels(pattern),
                        (results, reply) -> distinct(results, reply));
            }
            case "numpat" -> {
                if (r.count() != 2) {
                    out.error(KvConnection.wrongArity("pubsub|numpat"));
                    return null;
                }
                return FanOut.start(node, c, out.resp3(), all, shard -> shard.pubsub.patterns(),
                        (results, reply) -> reply.integer(union(results).size()));
            }
            case "numsub", "shardnumsub" -> {
                boolean sharded = sub.equals("shardnumsub");
                List<PubSub.Name> names = new ArrayList<>();
                for (int i = 2; i < r.count(); i++) {
                    names.add(PubSub.Name.copyOf(r.bytes, r.offset(i), r.length(i)));
                }
                return FanOut.start(node, c, out.resp3(), all, shard -> {
                    long[] counts = new long[names.size()];
                    for (int i = 0; i < counts.length; i++) {
                        counts[i] = (sharded ? shard.shardPubSub : shard.pubsub).subscribers(names.get(i));
                    }
                    return counts;
                }, (results, reply) -> {
                    reply.arrayHeader(names.size() * 2L);
                    for (int i = 0; i < names.size(); i++) {
                        long total = 0;
                        for (Object o : results) {
                            total += ((long[]) o)[i];
                        }
                        reply.bulk(names.get(i).bytes).integer(total);
                    }
                });
            }
            case "help" -> {
                String[] lines = {
                    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "CHANNELS [<pattern>]",
                    "    Return the currently active channels matching a <pattern> (default: '*').",
                    "NUMPAT",
                    "    Return number of subscriptions to patterns.",
                    "NUMSUB [<channel> ...]",
                    "    Return the number of subscribers for the specified channels, excluding",
                    "    pattern subscriptions(default: no channels).",
                    "SHARDCHANNELS [<pattern>]",
                    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                    "SHARDNUMSUB [<shardchannel> ...]",
                    "    Return the number of subscribers for the specified shard level channel(s)",
                    "HELP",
                    "    Prints this help."};
                out.helpLines(lines);
                return null;
            }
            default -> {
            }
        }
        out.error("ERR unknown subcommand or wrong number of arguments for '" + r.string(1) + "'. Try PUBSUB HELP.");
        return null;
    }

    /** The names of every shard's list, each once, sorted (a channel subscribed on two shards is one channel). */
    private static void distinct(Object[] results, ReplyWriter reply) {
        Set<String> names = union(results);
        reply.arrayHeader(names.size());
        for (String n : names) {
            reply.bulk(n.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> union(Object[] results) {
        Set<String> names = new TreeSet<>();
        for (Object o : results) {
            for (byte[] b : (List<byte[]>) o) {
                names.add(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1)); // one char per byte: exact
            }
        }
        return names;
    }
}
