package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One connection's client-side caching state and its commands: {@code CLIENT TRACKING ON|OFF
 * [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]}, {@code CLIENT CACHING YES|NO},
 * {@code CLIENT GETREDIR}, {@code CLIENT TRACKINGINFO}, with Redis 7.0's replies and error texts. The
 * tables it acts on are each shard's {@link Tracking}. Touched by its connection's shard only; a shard
 * that executes a read for it learns whether to remember the read from the command's dispatch
 * ({@link #tracksReads}), never from these fields.
 */
final class ClientTracking {
    boolean on;
    boolean bcast;
    boolean optIn;
    boolean optOut;
    boolean noLoop;
    /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) was given for the next command (or the next transaction). */
    boolean caching;
    /** The client the invalidations go to (0: this one) and its shard. */
    long redirect;
    int redirectShard;
    boolean brokenRedirect;
    /** BCAST's prefixes, in order (Redis lists them sorted). */
    final List<byte[]> prefixes = new ArrayList<>();

    /** Whether a read-only command dispatched now has its keys remembered (default mode, OPTIN/OPTOUT with CACHING). */
    boolean tracksReads() {
        return on && !bcast && !(optIn && !caching) && !(optOut && caching);
    }

    /** After a command of the connection: CACHING lasts one command (not CLIENT CACHING itself, nor while MULTI queues). */
    void commandDone(Command command, Request r, boolean queuing) {
        if (caching && !queuing && !(command == Command.CLIENT && r.count() > 1 && r.string(1).equalsIgnoreCase("caching"))) {
            caching = false;
        }
    }

    // ---- the commands ----

    /** CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO of {@code c}; a pending reply when other shards take part. */
    static ReplySource command(KvNode node, KvConnection c, String sub, Request r, ReplyWriter out) {
        switch (sub) {
            case "getredir" -> {
                if (r.count() != 2) {
                    out.error(KvConnection.wrongArity("client|getredir"));
                } else {
                    ClientTracking t = c.tracking;
                    out.integer(t == null || !t.on ? -1 : t.redirect);
                }
                return null;
            }
            case "trackinginfo" -> {
                if (r.count() != 2) {
                    out.error(KvConnection.wrongArity("client|trackinginfo"));
                } else {
                    info(c.tracking, out);
                }
                return null;
            }
            case "caching" -> {
                caching(c, r, out);
                return null;
            }
            default -> {
                return tracking(node, c, r, out);
            }
        }
    }

    private static void info(ClientTracking t, ReplyWriter out) {
        List<String> flags = new ArrayList<>();
        if (t == null || !t.on) {
            flags.add("off");
        } else {
            flags.add("on");
            if (t.bcast) {
                flags.add("bcast");
            }
            if (t.optIn) {
                flags.add("optin");
                if (t.caching) {
                    flags.add("caching-yes");
                }
            }
            if (t.optOut) {
                flags.add("optout");
                if (t.caching) {
                    flags.add("caching-no");
                }
            }
            if (t.noLoop) {
                flags.add("noloop");
            }
            if (t.brokenRedirect) {
                flags.add("broken_redirect");
            }
        }
        out.mapHeader(3).bulk("flags").setHeader(flags.size());
        flags.forEach(out::bulk);
        out.bulk("redirect").integer(t == null || !t.on ? -1 : t.redirect);
        List<byte[]> sorted = t == null || !t.on ? new ArrayList<>() : new ArrayList<>(t.prefixes);
        sorted.sort(Arrays::compareUnsigned);
        out.bulk("prefixes").arrayHeader(sorted.size());
        sorted.forEach(out::bulk);
    }

    private static void caching(KvConnection c, Request r, ReplyWriter out) {
        ClientTracking t = c.tracking;
        if (r.count() != 3) {
            out.error(KvConnection.wrongArity("client|caching"));
        } else if (t == null || !t.on) {
            out.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
        } else if (r.string(2).equalsIgnoreCase("yes")) {
            if (t.optIn) {
                t.caching = true;
                out.ok();
            } else {
                out.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
            }
        } else if (r.string(2).equalsIgnoreCase("no")) {
            if (t.optOut) {
                t.caching = true;
                out.ok();
            } else {
                out.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
            }
        } else {
            out.error(KvShard.SYNTAX);
        }
    }

    private static ReplySource tracking(KvNode node, KvConnection c, Request r, ReplyWriter out) {
        if (r.count() < 3) {
            out.error(KvConnection.wrongArity("client|tracking"));
            return null;
        }
        long redirect = 0;
        boolean bcast = false;
        boolean optIn = false;
        boolean optOut = false;
        boolean noLoop = false;
        List<byte[]> prefixes = new ArrayList<>();
        for (int j = 3; j < r.count(); j++) {
            boolean more = j + 1 < r.count();
            String option = r.string(j).toLowerCase(Locale.ROOT);
            if (option.equals("redirect") && more) {
                j++;
                if (redirect != 0) {
                    out.error("ERR A client can only redirect to a single other client");
                    return null;
                }
                if (!r.longAt(j)) {
                    out.error(KvShard.NOT_INTEGER);
                    return null;
                }
                if (r.number <= 0) {
                    out.error(NO_SUCH_CLIENT);
                    return null;
                }
                redirect = r.number;
            } else if (option.equals("bcast")) {
                bcast = true;
            } else if (option.equals("optin")) {
                optIn = true;
            } else if (option.equals("optout")) {
                optOut = true;
            } else if (option.equals("noloop")) {
                noLoop = true;
            } else if (option.equals("prefix") && more) {
                prefixes.add(r.copy(++j));
            } else {
                out.error(KvShard.SYNTAX);
                return null;
            }
        }
        String mode = r.string(2).toLowerCase(Locale.ROOT);
        ClientTracking t = c.tracking;
        if (mode.equals("off")) {
            if (t != null && t.on) {
                c.home.tracking.disabled(c);
                c.tracking = null;
            }
            out.ok();
            return null;
        }
        if (!mode.equals("on")) {
            out.error(KvShard.SYNTAX);
            return null;
        }
        String refused = refusal(t, redirect, bcast, optIn, optOut, prefixes);
        if (refused != null) {
            out.error(refused);
            return null;
        }
        if (t == null) {
            t = new ClientTracking();
            c.tracking = t;
        }
        ClientTracking state = t;
        boolean wasOn = t.on;
        ClientTracking before = wasOn ? t.copy() : null; // what a refused REDIRECT leaves, as Redis leaves it
        state.on = true;
        state.bcast = bcast;
        state.optIn = optIn;
        state.optOut = optOut;
        state.noLoop = noLoop;
        state.brokenRedirect = false;
        state.redirect = redirect;
        state.redirectShard = c.home.id;
        if (!wasOn) {
            state.caching = false;
        }
        if (bcast) {
            state.prefixes.addAll(prefixes.isEmpty() ? List.of(new byte[0]) : prefixes);
        }
        c.home.tracking.enabled(c);
        if (redirect == 0 && !bcast) {
            out.ok();
            return null;
        }
        // other shards take part: the redirect target is looked for on every shard, a BCAST client's
        // prefixes reach every shard's prefix table; OK once all did (a write after it is broadcast)
        long target = redirect;
        long id = c.id;
        int home = c.home.id;
        List<byte[]> names = bcast ? List.copyOf(state.prefixes) : List.of();
        boolean loop = noLoop;
        boolean broadcast = bcast;
        c.home.batches.sendAll(); // the parts follow the commands already queued
        int[] all = new int[node.shardCount()];
        Arrays.setAll(all, i -> i);
        return FanOut.startAside(node, c, out.resp3(), all, shard -> {
            if (broadcast) {
                shard.tracking.subscribe(id, home, loop, names);
            }
            KvConnection[] found = new KvConnection[1];
            if (target != 0) {
                shard.connections.forEach(other -> {
                    if (other.id == target && !other.closingOrClosed()) {
                        found[0] = other;
                    }
                });
                if (found[0] != null) {
                    shard.tracking.target(found[0]);
                }
            }
            return found[0] != null;
        }, (results, reply) -> {
            int at = -1;
            for (int i = 0; i < results.length; i++) {
                if (Boolean.TRUE.equals(results[i])) {
                    at = i;
                }
            }
            if (target != 0 && at < 0) {
                if (c.tracking == state && state.redirect == target) { // not changed since by a later command: undone
                    undo(c, before);
                }
                reply.error(NO_SUCH_CLIENT);
                return;
            }
            if (target != 0 && state.redirect == target) {
                state.redirectShard = at;
            }
            reply.ok();
        });
    }

    /** A copy of this state (its prefixes' list too). */
    private ClientTracking copy() {
        ClientTracking t = new ClientTracking();
        t.on = on;
        t.bcast = bcast;
        t.optIn = optIn;
        t.optOut = optOut;
        t.noLoop = noLoop;
        t.caching = caching;
        t.redirect = redirect;
        t.redirectShard = redirectShard;
        t.brokenRedirect = brokenRedirect;
        t.prefixes.addAll(prefixes);
        return t;
    }

    /** A TRACKING ON whose redirect was not found: the state before it (off, or its earlier mode and prefixes on every shard). */
    private static void undo(KvConnection c, ClientTracking before) {
        if (before == null) {
            c.home.tracking.disabled(c);
            c.tracking = null;
            return;
        }
        c.tracking = before;
        if (before.bcast) {
            long id = c.id;
            int home = c.home.id;
            List<byte[]> names = List.copyOf(before.prefixes);
            boolean noLoop = before.noLoop;
            c.home.tracking.everyShard(shard -> shard.tracking.subscribe(id, home, noLoop, names));
        }
    }

    private static final String NO_SUCH_CLIENT = "ERR The client ID you want redirect to does not exist";

    /** Redis's checks of CLIENT TRACKING ON's options against each other and the current state, in its order. */
    private static String refusal(ClientTracking t, long redirect, boolean bcast, boolean optIn, boolean optOut,
                                  List<byte[]> prefixes) {
        if (!bcast && !prefixes.isEmpty()) {
            return "ERR PREFIX option requires BCAST mode to be enabled";
        }
        boolean on = t != null && t.on;
        if (on && t.bcast != bcast) {
            return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
                    + "re-enabling it with a different mode.";
        }
        if (bcast && (optIn || optOut)) {
            return "ERR OPTIN and OPTOUT are not compatible with BCAST";
        }
        if (optIn && optOut) {
            return "ERR You can't specify both OPTIN mode and OPTOUT mode";
        }
        if (on && ((optIn && t.optOut) || (optOut && t.optIn))) {
            return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
                    + "re-enabling it with a different mode.";
        }
        if (bcast) {
            for (int i = 0; i < prefixes.size(); i++) {
                byte[] p = prefixes.get(i);
                if (on) {
                    for (byte[] existing : t.prefixes) {
                        if (overlap(existing, p)) {
                            return "ERR Prefix '" + text(p) + "' overlaps with an existing prefix '" + text(existing)
                                    + "'. Prefixes for a single client must not overlap.";
                        }
                    }
                }
                for (int j = i + 1; j < prefixes.size(); j++) {
                    if (overlap(p, prefixes.get(j))) {
                        return "ERR Prefix '" + text(p) + "' overlaps with another provided prefix '"
                                + text(prefixes.get(j)) + "'. Prefixes for a single client must not overlap.";
                    }
                }
            }
        }
        return null;
    }

    /** One is a prefix of the other. */
    private static boolean overlap(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        return Arrays.equals(a, 0, n, b, 0, n);
    }

    private static String text(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
