package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The geo commands, as Redis 7.0's geo.c answers them: points are members of a sorted set whose
 * score is the point's 52-bit geohash ({@link GeoHash}), so the sorted-set commands read and write
 * them too. GEOADD is a ZADD of the computed scores (run, and logged, by {@link ZSetCommands});
 * GEOSEARCH and GEORADIUS read the nine cells around the centre and keep the points within the
 * exact distance or box. GEOSEARCHSTORE and the STORE options of GEORADIUS store a sorted set:
 * on this shard when it owns both keys, else through {@link ZSetGather}, which calls
 * {@link #storedResult} at home. These commands allocate (the ZADD request, each point found, its
 * texts); the other commands do not pass through here.
 */
final class GeoCommands {
    private static final byte[] ZADD = ReplyWriter.asciiBytes("ZADD");
    private static final byte[] NX = ReplyWriter.asciiBytes("nx");
    private static final byte[] XX = ReplyWriter.asciiBytes("xx");
    private static final byte[] CH = ReplyWriter.asciiBytes("ch");
    private static final byte[] WITHDIST = ReplyWriter.asciiBytes("withdist");
    private static final byte[] WITHHASH = ReplyWriter.asciiBytes("withhash");
    private static final byte[] WITHCOORD = ReplyWriter.asciiBytes("withcoord");
    private static final byte[] ANY = ReplyWriter.asciiBytes("any");
    private static final byte[] ASC = ReplyWriter.asciiBytes("asc");
    private static final byte[] DESC = ReplyWriter.asciiBytes("desc");
    private static final byte[] COUNT = ReplyWriter.asciiBytes("count");
    private static final byte[] STORE = ReplyWriter.asciiBytes("store");
    private static final byte[] STOREDIST = ReplyWriter.asciiBytes("storedist");
    private static final byte[] FROMMEMBER = ReplyWriter.asciiBytes("frommember");
    private static final byte[] FROMLONLAT = ReplyWriter.asciiBytes("fromlonlat");
    private static final byte[] BYRADIUS = ReplyWriter.asciiBytes("byradius");
    private static final byte[] BYBOX = ReplyWriter.asciiBytes("bybox");
    private static final byte[][] UNITS = {
        ReplyWriter.asciiBytes("m"), ReplyWriter.asciiBytes("km"), ReplyWriter.asciiBytes("ft"), ReplyWriter.asciiBytes("mi")};
    private static final double[] METERS = {1, 1000, 0.3048, 1609.34};
    private static final byte[] COMMA = ReplyWriter.asciiBytes(",");
    private static final byte[] CRLF = ReplyWriter.asciiBytes("\r\n");
    private static final String NOT_FLOAT = "ERR value is not a valid float";
    private static final String NO_MEMBER = "ERR could not decode requested zset member";
    /** What {@link #find} returns for a key of another type. */
    private static final Object WRONG = new Object();

    /** A point a search found: its member, score (hash), position and distance from the centre in meters. */
    private record Point(byte[] member, double score, double lon, double lat, double dist) { }

    /** A score's digits at most: below 2^54 (a point on the top latitude or longitude carries into bit 52 or 53), 17. */
    private static final int MAX_SCORE_DIGITS = 17;
    /** What {@link #zaddBytes} may keep between requests. */
    private static final int KEPT_BYTES = 64 << 10;

    private final KvShard shard;
    /** GEOADD's ZADD: its arguments, its bytes and its points' scores, kept so that a GEOADD allocates nothing. */
    private final Request zadd = new Request();
    private byte[] zaddBytes = new byte[256];
    private long[] hashes = new long[8];

    GeoCommands(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        switch (command) {
            case GEOADD -> add(r, now, out);
            case GEOPOS, GEOHASH -> {
                Object z = find(r, 1, now);
                if (z == WRONG) {
                    out.error(KvShard.WRONGTYPE);
                    return;
                }
                out.arrayHeader(r.count() - 2);
                double[] lonLat = new double[2];
                for (int i = 2; i < r.count(); i++) {
                    double score = z == null ? Double.NaN : ((ZSetValue) z).score(r.bytes, r.offset(i), r.length(i));
                    if (Double.isNaN(score)) {
                        if (command == Command.GEOPOS) {
                            out.nullArray();
                        } else {
                            out.nullBulk();
                        }
                    } else if (command == Command.GEOHASH) {
                        out.bulk(GeoHash.text(score));
                    } else {
                        GeoHash.decodeScore(score, lonLat);
                        out.arrayHeader(2);
                        coordinate(lonLat[0], out);
                        coordinate(lonLat[1], out);
                    }
                }
            }
            case GEODIST -> distance(r, now, out);
            case GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUS_RO, GEORADIUSBYMEMBER, GEORADIUSBYMEMBER_RO -> {
                int source = command == Command.GEOSEARCHSTORE ? 2 : 1;
                Object z = find(r, source, now);
                if (z == WRONG) {
                    out.error(KvShard.WRONGTYPE);
                    return;
                }
                Query query = Query.parse(command, r, (ZSetValue) z, out);
                if (query == null) {
                    return;
                }
                List<Point> points = query.search((ZSetValue) z);
                if (query.store < 0) {
                    query.reply(points, out);
                } else {
                    out.integer(shard.zsets.store(r.copy(query.store), query.result(points), now));
                }
            }
            default -> throw new IllegalArgumentException(command + " is not a geo command");
        }
    }

    /** GEORADIUS, GEORADIUSBYMEMBER and GEOSEARCHSTORE: the commands that may store (kind GATHER). */
    static boolean stores(Command c) {
        return c == Command.GEOSEARCHSTORE || c == Command.GEORADIUS || c == Command.GEORADIUSBYMEMBER;
    }

    /**
     * The argument indexes of the keys of a command that {@link #stores}, the destination first
     * (none for GEORADIUS without STORE): found by the walk over the options the command's own
     * parse makes, so that the two agree wherever the parse accepts the command.
     */
    static int[] keys(Command c, Request r) {
        if (c == Command.GEOSEARCHSTORE) {
            return new int[] {1, 2};
        }
        int store = -1;
        for (int i = c == Command.GEORADIUS ? 6 : 5; i < r.count(); i++) {
            if ((r.is(i, COUNT) || r.is(i, STORE) || r.is(i, STOREDIST)) && i + 1 < r.count()) {
                store = r.is(i, COUNT) ? store : i + 1;
                i++;
            } else if (!(r.is(i, WITHDIST) || r.is(i, WITHHASH) || r.is(i, WITHCOORD) || r.is(i, ANY)
                    || r.is(i, ASC) || r.is(i, DESC))) {
                break; // the parse answers a syntax error here
            }
        }
        return store < 0 ? new int[] {1} : new int[] {store, 1};
    }

    /**
     * The sorted set a storing search run at home across shards leaves in its destination, from
     * {@code source} (a copy of the source key's value, or null, as {@link ZSetGather} gathered it);
     * null after an error reply to {@code out}.
     */
    static ZSetValue storedResult(Command command, Request r, Object source, ReplyWriter out) {
        if (source != null && !(source instanceof ZSetValue)) {
            out.error(KvShard.WRONGTYPE);
            return null;
        }
        ZSetValue z = (ZSetValue) source;
        Query query = Query.parse(command, r, z, out);
        return query == null ? null : query.result(query.search(z));
    }

    /** The sorted set at argument {@code at}: null when absent, {@link #WRONG} for another type. */
    private Object find(Request r, int at, long now) {
        KeyTable.Entry e = shard.live(r.bytes, r.offset(at), r.length(at), now);
        return e == null ? null : e.aggregate() instanceof ZSetValue z ? z : WRONG;
    }

    /**
     * GEOADD key [NX | XX] [CH] lon lat member ...: as Redis, a ZADD with the points' scores in
     * place of their coordinates, which checks the type, adds, counts and logs. The ZADD is built in
     * this shard's {@link #zadd} and {@link #zaddBytes}, kept between requests: ZADD copies what it
     * keeps and writes its log record before it returns.
     */
    private void add(Request r, long now, ReplyWriter out) {
        int at = 2;
        boolean nx = false;
        boolean xx = false;
        for (; at < r.count(); at++) {
            if (r.is(at, NX)) {
                nx = true;
            } else if (r.is(at, XX)) {
                xx = true;
            } else if (!r.is(at, CH)) {
                break;
            }
        }
        if ((r.count() - at) % 3 != 0 || (nx && xx)) {
            out.error(KvShard.SYNTAX);
            return;
        }
        int points = (r.count() - at) / 3;
        if (hashes.length < points) {
            hashes = new long[Math.max(points, 2 * hashes.length)];
        }
        long total = ZADD.length;
        for (int i = 1; i < at; i++) {
            total += r.length(i);
        }
        for (int i = 0; i < points; i++) {
            int lonAt = at + 3 * i;
            double lon = Score.parse(r.bytes, r.offset(lonAt), r.length(lonAt));
            double lat = Double.isNaN(lon) ? lon : Score.parse(r.bytes, r.offset(lonAt + 1), r.length(lonAt + 1));
            if (Double.isNaN(lat)) {
                out.error(NOT_FLOAT);
                return;
            }
            if (!GeoHash.valid(lon, lat)) {
                out.error(invalidPoint(lon, lat));
                return;
            }
            hashes[i] = GeoHash.score(lon, lat);
            total += MAX_SCORE_DIGITS + r.length(lonAt + 2);
        }
        if (zaddBytes.length < total) {
            zaddBytes = new byte[(int) Math.max(total, 2L * zaddBytes.length)];
        }
        zadd.reset(zaddBytes);
        int end = append(0, ZADD, 0, ZADD.length);
        for (int i = 1; i < at; i++) {
            end = append(end, r.bytes, r.offset(i), r.length(i));
        }
        for (int i = 0; i < points; i++) {
            int member = at + 3 * i + 2;
            int digits = digits(hashes[i]);
            for (int d = digits - 1, n = 0; d >= 0; d--, n++) {
                zaddBytes[end + d] = (byte) ('0' + hashes[i] / GeoHash.POWERS_OF_TEN[n] % 10);
            }
            zadd.add(end, digits);
            end = append(end + digits, r.bytes, r.offset(member), r.length(member));
        }
        try {
            shard.zsets.run(Command.ZADD, zadd, now, out);
        } finally {
            zadd.trim(); // a huge GEOADD's argument table is not kept
            if (zaddBytes.length > KEPT_BYTES) {
                zaddBytes = new byte[KEPT_BYTES];
            }
        }
    }

    /** Copies {@code source[offset, offset + length)} into {@link #zaddBytes} at {@code at} as the ZADD's next argument; returns its end. */
    private int append(int at, byte[] source, int offset, int length) {
        System.arraycopy(source, offset, zaddBytes, at, length);
        zadd.add(at, length);
        return at + length;
    }

    /** How many decimal digits a score (below 2^54) has. */
    private static int digits(long score) {
        int n = 1;
        while (n < MAX_SCORE_DIGITS && score >= GeoHash.POWERS_OF_TEN[n]) {
            n++;
        }
        return n;
    }

    private static String invalidPoint(double lon, double lat) {
        return "ERR invalid longitude,latitude pair " + GeoHash.sixDecimals(lon) + "," + GeoHash.sixDecimals(lat);
    }

    /** GEODIST key member1 member2 [M | KM | FT | MI]. */
    private void distance(Request r, long now, ReplyWriter out) {
        double toMeters = 1;
        if (r.count() == 5) {
            toMeters = unit(r, 4, out);
            if (toMeters < 0) {
                return;
            }
        } else if (r.count() > 5) {
            out.error(KvShard.SYNTAX);
            return;
        }
        Object z = find(r, 1, now);
        if (z == WRONG) {
            out.error(KvShard.WRONGTYPE);
            return;
        }
        double first = z == null ? Double.NaN : ((ZSetValue) z).score(r.bytes, r.offset(2), r.length(2));
        double second = z == null ? Double.NaN : ((ZSetValue) z).score(r.bytes, r.offset(3), r.length(3));
        if (Double.isNaN(first) || Double.isNaN(second)) {
            out.nullBulk();
            return;
        }
        double[] a = new double[2];
        double[] b = new double[2];
        GeoHash.decodeScore(first, a);
        GeoHash.decodeScore(second, b);
        out.bulk(GeoHash.distanceText(GeoHash.distance(a[0], a[1], b[0], b[1]) / toMeters));
    }

    /** Meters per unit of argument {@code at}, or -1 after the error reply. */
    private static double unit(Request r, int at, ReplyWriter out) {
        for (int i = 0; i < UNITS.length; i++) {
            if (r.is(at, UNITS[i])) {
                return METERS[i];
            }
        }
        out.error("ERR unsupported unit provided. please use M, KM, FT, MI");
        return -1;
    }

    /** A coordinate: a bulk string in RESP2, a double in RESP3, Redis's text in both. */
    private static void coordinate(double value, ReplyWriter out) {
        byte[] text = GeoHash.coordinate(value);
        if (out.resp3()) {
            out.raw(COMMA).raw(text).raw(CRLF);
        } else {
            out.bulk(text);
        }
    }

    /** A parsed search: GEOSEARCH, GEOSEARCHSTORE, GEORADIUS and GEORADIUSBYMEMBER with their _RO forms. */
    private static final class Query {
        /** The argument of the destination key; -1 when the command only answers. */
        int store = -1;
        boolean storeDist;
        boolean withDist;
        boolean withHash;
        boolean withCoord;
        boolean any;
        /** 0: in the order found; 1: nearest first; -1: farthest first. */
        int sort;
        long count;
        double lon;
        double lat;
        boolean box;
        /** The radius, or the box's width, in the unit. */
        double width;
        double height;
        double conversion;

        /**
         * Parses {@code r} in Redis's order (georadiusGeneric), with the source {@code z} (null:
         * absent) for FROMMEMBER and BYMEMBER; null after the error reply.
         */
        static Query parse(Command c, Request r, ZSetValue z, ReplyWriter out) {
            Query q = new Query();
            boolean search = c == Command.GEOSEARCH || c == Command.GEOSEARCHSTORE;
            boolean noStore = c == Command.GEORADIUS_RO || c == Command.GEORADIUSBYMEMBER_RO;
            int base;
            if (c == Command.GEORADIUS || c == Command.GEORADIUS_RO) {
                base = 6;
                if (!q.center(r, 2, out) || !q.radius(r, 4, out)) {
                    return null;
                }
            } else if (!search) {
                base = 5;
                if (z != null && (!q.member(z, r, 2, out) || !q.radius(r, 3, out))) {
                    return null; // an absent source: no centre nor radius read, as Redis
                }
            } else {
                base = c == Command.GEOSEARCHSTORE ? 3 : 2;
                q.store = c == Command.GEOSEARCHSTORE ? 1 : -1;
            }
            boolean fromMember = false;
            boolean fromLonLat = false;
            boolean byRadius = false;
            boolean byBox = false;
            int n = r.count();
            for (int i = base; i < n; i++) {
                if (r.is(i, WITHDIST)) {
                    q.withDist = true;
                } else if (r.is(i, WITHHASH)) {
                    q.withHash = true;
                } else if (r.is(i, WITHCOORD)) {
                    q.withCoord = true;
                } else if (r.is(i, ANY)) {
                    q.any = true;
                } else if (r.is(i, ASC)) {
                    q.sort = 1;
                } else if (r.is(i, DESC)) {
                    q.sort = -1;
                } else if (r.is(i, COUNT) && i + 1 < n) {
                    if (!r.longAt(++i)) {
                        out.error(KvShard.NOT_INTEGER);
                        return null;
                    }
                    if (r.number <= 0) {
                        out.error("ERR COUNT must be > 0");
                        return null;
                    }
                    q.count = r.number;
                } else if ((r.is(i, STORE) || r.is(i, STOREDIST)) && i + 1 < n && !noStore && !search) {
                    q.storeDist = r.is(i, STOREDIST);
                    q.store = ++i;
                } else if (r.is(i, STOREDIST) && c == Command.GEOSEARCHSTORE) {
                    q.storeDist = true;
                } else if (r.is(i, FROMMEMBER) && i + 1 < n && search && !fromLonLat) {
                    if (z != null && !q.member(z, r, i + 1, out)) {
                        return null;
                    }
                    fromMember = true;
                    i++;
                } else if (r.is(i, FROMLONLAT) && i + 2 < n && search && !fromMember) {
                    if (!q.center(r, i + 1, out)) {
                        return null;
                    }
                    fromLonLat = true;
                    i += 2;
                } else if (r.is(i, BYRADIUS) && i + 2 < n && search && !byBox) {
                    if (!q.radius(r, i + 1, out)) {
                        return null;
                    }
                    byRadius = true;
                    i += 2;
                } else if (r.is(i, BYBOX) && i + 3 < n && search && !byRadius) {
                    if (!q.box(r, i + 1, out)) {
                        return null;
                    }
                    byBox = true;
                    i += 3;
                } else {
                    out.error(KvShard.SYNTAX);
                    return null;
                }
            }
            if (q.store >= 0 && (q.withDist || q.withHash || q.withCoord)) {
                out.error("ERR " + (c == Command.GEOSEARCHSTORE ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
                        + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
                return null;
            }
            if (search && !(fromMember || fromLonLat)) {
                out.error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + r.string(0));
                return null;
            }
            if (search && !(byRadius || byBox)) {
                out.error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + r.string(0));
                return null;
            }
            if (q.any && q.count == 0) {
                out.error("ERR the ANY argument requires COUNT argument");
                return null;
            }
            if (q.count != 0 && q.sort == 0 && !q.any) {
                q.sort = 1; // the nearest COUNT: sorted even when not asked
            }
            return q;
        }

        private boolean center(Request r, int at, ReplyWriter out) {
            lon = Score.parse(r.bytes, r.offset(at), r.length(at));
            lat = Double.isNaN(lon) ? lon : Score.parse(r.bytes, r.offset(at + 1), r.length(at + 1));
            if (Double.isNaN(lat)) {
                out.error(NOT_FLOAT);
                return false;
            }
            if (!GeoHash.valid(lon, lat)) {
                out.error(invalidPoint(lon, lat));
                return false;
            }
            return true;
        }

        private boolean member(ZSetValue z, Request r, int at, ReplyWriter out) {
            double score = z.score(r.bytes, r.offset(at), r.length(at));
            if (Double.isNaN(score)) {
                out.error(NO_MEMBER);
                return false;
            }
            double[] lonLat = new double[2];
            GeoHash.decodeScore(score, lonLat);
            lon = lonLat[0];
            lat = lonLat[1];
            return true;
        }

        /** radius unit at {@code at}. */
        private boolean radius(Request r, int at, ReplyWriter out) {
            width = Score.parse(r.bytes, r.offset(at), r.length(at));
            if (Double.isNaN(width)) {
                out.error("ERR need numeric radius");
                return false;
            }
            if (width < 0) {
                out.error("ERR radius cannot be negative");
                return false;
            }
            box = false;
            return (conversion = unit(r, at + 1, out)) >= 0;
        }

        /** width height unit at {@code at}. */
        private boolean box(Request r, int at, ReplyWriter out) {
            width = Score.parse(r.bytes, r.offset(at), r.length(at));
            if (Double.isNaN(width)) {
                out.error("ERR need numeric width");
                return false;
            }
            height = Score.parse(r.bytes, r.offset(at + 1), r.length(at + 1));
            if (Double.isNaN(height)) {
                out.error("ERR need numeric height");
                return false;
            }
            if (height < 0 || width < 0) {
                out.error("ERR height or width cannot be negative");
                return false;
            }
            box = true;
            return (conversion = unit(r, at + 2, out)) >= 0;
        }

        /**
         * The points of {@code z} (null: none) within the shape, in the order Redis finds them
         * (cell by cell, by score within one), then sorted if asked; with ANY, the first COUNT found.
         */
        List<Point> search(ZSetValue z) {
            List<Point> points = new ArrayList<>();
            if (z == null) {
                return points;
            }
            long limit = any ? count : 0;
            long[] ranges = GeoHash.ranges(lon, lat, !box, width, height, conversion);
            double[] lonLat = new double[2];
            int lastProcessed = 0; // as Redis: the centre (0) is never compared with
            for (int i = 0; i < 9; i++) {
                long min = ranges[2 * i];
                long max = ranges[2 * i + 1];
                if (min < 0 || (lastProcessed != 0 && min == ranges[2 * lastProcessed])) {
                    continue; // left out, or the same cell again (a huge radius)
                }
                if (limit != 0 && points.size() >= limit) {
                    break;
                }
                int from = z.countBefore((score, member) -> score < min);
                int to = z.countBefore((score, member) -> score < max);
                z.visit(from, to - from, false, (member, score) -> {
                    if (limit != 0 && points.size() >= limit) {
                        return;
                    }
                    GeoHash.decodeScore(score, lonLat);
                    double dist = within(lonLat[0], lonLat[1]);
                    if (dist >= 0) {
                        points.add(new Point(member, score, lonLat[0], lonLat[1], dist));
                    }
                });
                lastProcessed = i;
            }
            if (sort != 0) {
                Comparator<Point> nearest = Comparator.comparingDouble(Point::dist);
                points.sort(sort > 0 ? nearest : nearest.reversed());
            }
            if (count != 0 && points.size() > count) {
                return points.subList(0, (int) count);
            }
            return points;
        }

        /** The distance in meters of a point within the shape from its centre; -1 outside. */
        private double within(double x, double y) {
            if (!box) {
                double dist = GeoHash.distance(lon, lat, x, y);
                return dist > width * conversion ? -1 : dist;
            }
            if (GeoHash.latitudeDistance(y, lat) > height * conversion / 2
                    || GeoHash.distance(x, y, lon, y) > width * conversion / 2) {
                return -1;
            }
            return GeoHash.distance(lon, lat, x, y);
        }

        void reply(List<Point> points, ReplyWriter out) {
            int options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoord ? 1 : 0);
            out.arrayHeader(points.size());
            for (Point p : points) {
                if (options > 0) {
                    out.arrayHeader(options + 1);
                }
                out.bulk(p.member());
                if (withDist) {
                    out.bulk(GeoHash.distanceText(p.dist() / conversion));
                }
                if (withHash) {
                    out.integer((long) p.score());
                }
                if (withCoord) {
                    out.arrayHeader(2);
                    coordinate(p.lon(), out);
                    coordinate(p.lat(), out);
                }
            }
        }

        /** What a STORE leaves: the points with their hashes, or with their distances in the unit (STOREDIST). */
        ZSetValue result(List<Point> points) {
            int longest = 0;
            for (Point p : points) {
                longest = Math.max(longest, p.member().length);
            }
            ZSetValue result = ZSetValue.forResult(points.size(), longest);
            for (Point p : points) {
                result.put(p.member(), storeDist ? p.dist() / conversion : p.score());
            }
            return result;
        }
    }
}
