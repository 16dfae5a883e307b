package dev.atoll.examples.kv;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The geohash arithmetic of Redis's geohash.c and geohash_helper.c, in Java: a point's 52-bit
 * interleaved hash (the sorted-set score GEOADD stores), the point a score decodes to, the 11-letter
 * geohash string, the haversine distance on Redis's earth radius, and the nine cells a search
 * looks in. Bit for bit as Redis 7.0 computes them, so that a score written here reads back the
 * same in redis-server and the other way round.
 */
final class GeoHash {
    /** 26 bits of longitude and 26 of latitude: the precision of a stored point. */
    static final int STEP_MAX = 26;
    static final double LON_MIN = -180;
    static final double LON_MAX = 180;
    /** Web Mercator's limits, as Redis's: a point past them is refused. */
    static final double LAT_MIN = -85.05112878;
    static final double LAT_MAX = 85.05112878;
    /** Redis's mean earth radius for WGS-84, in meters. */
    static final double EARTH_RADIUS = 6372797.560856;
    private static final double MERCATOR_MAX = 20037726.37;
    private static final double DEG_TO_RAD = Math.PI / 180.0;
    /** The even bits carry the latitude, the odd ones the longitude. */
    private static final long EVEN = 0x5555555555555555L;
    private static final long ODD = 0xaaaaaaaaaaaaaaaaL;
    private static final byte[] BASE32 = ReplyWriter.asciiBytes("0123456789bcdefghjkmnpqrstuvwxyz");
    /** Index of each cell a search reads, in Redis's order: the centre, N, S, E, W, NE, NW, SE, SW. */
    private static final int[][] MOVES = {{0, 0}, {0, 1}, {0, -1}, {1, 0}, {-1, 0}, {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};

    private GeoHash() {
    }

    /**
     * The {@code 2 * step} bits of the cell of ({@code lon}, {@code lat}) in the given ranges
     * (Redis's geohashEncode), or -1 where Redis refuses: a point outside the ranges or Mercator's.
     */
    static long encode(double lonMin, double lonMax, double latMin, double latMax, double lon, double lat, int step) {
        if (lon > LON_MAX || lon < LON_MIN || lat > LAT_MAX || lat < LAT_MIN
                || lat < latMin || lat > latMax || lon < lonMin || lon > lonMax) {
            return -1;
        }
        double latOffset = (lat - latMin) / (latMax - latMin) * (1L << step);
        double lonOffset = (lon - lonMin) / (lonMax - lonMin) * (1L << step);
        // C converts each to a uint32_t: truncation, kept to 32 bits
        long latBits = (long) latOffset & 0xffffffffL;
        long lonBits = (long) lonOffset & 0xffffffffL;
        return Long.expand(latBits, EVEN) | Long.expand(lonBits, ODD);
    }

    /** The score GEOADD stores for a point already checked to be in range: its 52-bit hash. */
    static long score(double lon, double lat) {
        return encode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, lon, lat, STEP_MAX);
    }

    /** Whether GEOADD accepts the point (Redis's extractLongLatOrReply). */
    static boolean valid(double lon, double lat) {
        return !(lon < LON_MIN || lon > LON_MAX || lat < LAT_MIN || lat > LAT_MAX);
    }

    /**
     * The 64 bits C's {@code (uint64_t)} cast of a score gives on x86-64, as Redis's decodeGeohash
     * takes them: truncation below 2^63, the "integer indefinite" 2^63 for what cvttsd2si cannot
     * hold, and the compiler's subtract-and-flip above.
     */
    static long bitsOf(double score) {
        if (score < 0x1p63) {
            return (long) score; // Java's conversion of -inf and below -2^63 is Long.MIN_VALUE, as the CPU's
        }
        double high = score - 0x1p63;
        return high < 0x1p63 ? (long) high ^ Long.MIN_VALUE : 0;
    }

    /** The centre of the cell {@code bits} of {@code step}: {lon, lat}, clamped to the ranges (geohashDecodeAreaToLongLat). */
    static void decode(long bits, int step, double[] lonLat) {
        long lon = Long.compress(bits, ODD);
        long lat = Long.compress(bits, EVEN);
        lonLat[0] = Math.clamp((edge(lon, step, LON_MIN, LON_MAX) + edge(lon + 1, step, LON_MIN, LON_MAX)) / 2, LON_MIN, LON_MAX);
        lonLat[1] = Math.clamp((edge(lat, step, LAT_MIN, LAT_MAX) + edge(lat + 1, step, LAT_MIN, LAT_MAX)) / 2, LAT_MIN, LAT_MAX);
    }

    /** The point a sorted-set score stands for: {lon, lat}. */
    static void decodeScore(double score, double[] lonLat) {
        decode(bitsOf(score), STEP_MAX, lonLat);
    }

    /**
     * Where cell {@code index} of {@code step} starts in the range (geohashDecode); the index is a
     * uint32_t in C, so is its + 1.
     */
    private static double edge(long index, int step, double min, double max) {
        return min + ((index & 0xffffffffL) * 1.0 / (1L << step)) * (max - min);
    }

    /** The bounds of cell {@code bits} of {@code step}: {lonMin, lonMax, latMin, latMax}. */
    private static double[] cellArea(long bits, int step) {
        long lon = Long.compress(bits, ODD);
        long lat = Long.compress(bits, EVEN);
        return new double[] {edge(lon, step, LON_MIN, LON_MAX), edge(lon + 1, step, LON_MIN, LON_MAX),
            edge(lat, step, LAT_MIN, LAT_MAX), edge(lat + 1, step, LAT_MIN, LAT_MAX)};
    }

    /**
     * GEOHASH's 11 letters for a score: its point re-encoded over the standard latitudes -90..90
     * (the stored hash uses Mercator's), 52 bits in base 32 and a last letter of zero bits.
     */
    static byte[] text(double score) {
        double[] lonLat = new double[2];
        decodeScore(score, lonLat);
        long bits = encode(-180, 180, -90, 90, lonLat[0], lonLat[1], STEP_MAX);
        byte[] text = new byte[11];
        for (int i = 0; i < 11; i++) {
            text[i] = BASE32[i == 10 ? 0 : (int) (bits >>> (52 - (i + 1) * 5)) & 0x1f];
        }
        return text;
    }

    // ---- distances ----

    private static double radians(double degrees) {
        return degrees * DEG_TO_RAD;
    }

    private static double degrees(double radians) {
        return radians / DEG_TO_RAD;
    }

    /** The distance along a meridian between two latitudes, in meters. */
    static double latitudeDistance(double lat1, double lat2) {
        return EARTH_RADIUS * Math.abs(radians(lat2) - radians(lat1));
    }

    /** The haversine great-circle distance in meters (geohashGetDistance). */
    static double distance(double lon1, double lat1, double lon2, double lat2) {
        double v = Math.sin((radians(lon2) - radians(lon1)) / 2);
        if (v == 0.0) {
            return latitudeDistance(lat1, lat2);
        }
        double lat1r = radians(lat1);
        double lat2r = radians(lat2);
        double u = Math.sin((lat2r - lat1r) / 2);
        double a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
        return 2.0 * EARTH_RADIUS * Math.asin(Math.sqrt(a));
    }

    // ---- the cells of a search ----

    /** Redis's guess of the step whose cells are about as large as {@code meters} at {@code lat}. */
    static int estimateStep(double meters, double lat) {
        if (meters == 0) {
            return STEP_MAX;
        }
        int step = 1;
        while (meters < MERCATOR_MAX) {
            meters *= 2;
            step++;
        }
        step -= 2;
        if (lat > 66 || lat < -66) {
            step--;
            if (lat > 80 || lat < -80) {
                step--;
            }
        }
        return Math.clamp(step, 1, STEP_MAX);
    }

    /** The cell next to {@code bits} of {@code step}, {@code dx} east and {@code dy} north (geohash_move_x / _y). */
    static long neighbour(long bits, int step, int dx, int dy) {
        return move(move(bits, step, dx, ODD), step, dy, EVEN);
    }

    /** Adds or subtracts one to the bits of {@code mask} (the longitude's or the latitude's), wrapping within the step. */
    private static long move(long bits, int step, int d, long mask) {
        if (d == 0) {
            return bits;
        }
        long moving = bits & mask;
        long other = bits & ~mask;
        long gaps = ~mask >>> (64 - step * 2); // ones between the moving bits: a carry runs across them
        if (d > 0) {
            moving = moving + (gaps + 1);
        } else {
            moving = (moving | gaps) - (gaps + 1);
        }
        return (moving & (mask >>> (64 - step * 2))) | other;
    }

    /**
     * The score ranges a search of a circle of radius {@code width} ({@code circle}) or a box of
     * {@code width} by {@code height} (in a unit of {@code conversion} meters) around ({@code lon},
     * {@code lat}) reads, as geohashCalculateAreasByShapeWGS84 chooses them:
     * the centre's cell and its eight neighbours at the estimated step (one coarser when a
     * neighbour does not reach the bounding box), less the neighbours the box does not reach.
     * Returns 9 pairs {min, max} of 52-bit scores (min included, max excluded); a pair of -1 is
     * a cell left out.
     */
    static long[] ranges(double lon, double lat, boolean circle, double width, double height, double conversion) {
        double halfHeight = conversion * (circle ? width : height / 2);
        double halfWidth = conversion * (circle ? width : width / 2);
        double latDelta = degrees(halfHeight / EARTH_RADIUS);
        double lonDeltaTop = degrees(halfWidth / EARTH_RADIUS / Math.cos(radians(lat + latDelta)));
        double lonDeltaBottom = degrees(halfWidth / EARTH_RADIUS / Math.cos(radians(lat - latDelta)));
        boolean south = lat < 0;
        double minLon = south ? lon - lonDeltaBottom : lon - lonDeltaTop;
        double maxLon = south ? lon + lonDeltaBottom : lon + lonDeltaTop;
        double minLat = lat - latDelta;
        double maxLat = lat + latDelta;
        double radius = conversion * (circle ? width : Math.sqrt((width / 2) * (width / 2) + (height / 2) * (height / 2)));

        int step = estimateStep(radius, lat);
        long hash = encode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, lon, lat, step);
        double[] north = cellArea(neighbour(hash, step, 0, 1), step);
        double[] southCell = cellArea(neighbour(hash, step, 0, -1), step);
        double[] east = cellArea(neighbour(hash, step, 1, 0), step);
        double[] west = cellArea(neighbour(hash, step, -1, 0), step);
        if (step > 1 && (north[3] < maxLat || southCell[2] > minLat || east[1] < maxLon || west[0] > minLon)) {
            step--;
            hash = encode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, lon, lat, step);
        }
        double[] area = cellArea(hash, step);
        boolean[] skip = new boolean[9];
        if (step >= 2) {
            if (area[2] < minLat) {
                skip[2] = skip[7] = skip[8] = true; // south, south-east, south-west
            }
            if (area[3] > maxLat) {
                skip[1] = skip[5] = skip[6] = true; // north, north-east, north-west
            }
            if (area[0] < minLon) {
                skip[4] = skip[6] = skip[8] = true; // west, north-west, south-west
            }
            if (area[1] > maxLon) {
                skip[3] = skip[5] = skip[7] = true; // east, north-east, south-east
            }
        }
        long[] ranges = new long[18];
        int shift = 52 - step * 2;
        for (int i = 0; i < 9; i++) {
            if (skip[i]) {
                ranges[2 * i] = ranges[2 * i + 1] = -1;
            } else {
                long cell = neighbour(hash, step, MOVES[i][0], MOVES[i][1]);
                ranges[2 * i] = cell << shift;
                ranges[2 * i + 1] = (cell + 1) << shift;
            }
        }
        return ranges;
    }

    // ---- text ----

    /** A coordinate as Redis 7.0 prints one: C's {@code %.17Lf} of the double, trailing zeros cut, "-0" as "0". */
    static byte[] coordinate(double value) {
        byte[] text = fixed(value, 17);
        int end = text.length;
        while (text[end - 1] == '0') {
            end--;
        }
        if (text[end - 1] == '.') {
            end--;
        }
        if (end == 2 && text[0] == '-' && text[1] == '0') {
            return new byte[] {'0'};
        }
        return end == text.length ? text : Arrays.copyOf(text, end);
    }

    /** A distance as Redis prints one: C's {@code %.4f}. */
    static byte[] distanceText(double meters) {
        return fixed(meters, 4);
    }

    /** C's {@code %f} (six decimals), for the error that names a refused point. */
    static String sixDecimals(double value) {
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        return new String(fixed(value, 6), StandardCharsets.US_ASCII);
    }

    /** 10^0 to 10^17. */
    static final long[] POWERS_OF_TEN = new long[18];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    /**
     * C's {@code %.Nf} of a finite double ({@code decimals} up to 17): its exact binary value times
     * 10^decimals, rounded half to even as glibc rounds, in 128-bit integer arithmetic — so that a
     * coordinate costs its text and no {@code BigDecimal}. A value whose digits would not fit in 64
     * bits (no coordinate, no distance on earth) takes the {@code BigDecimal} way to the same digits.
     */
    static byte[] fixed(double value, int decimals) {
        long bits = Double.doubleToRawLongBits(value);
        boolean negative = bits < 0;
        String digits;
        if (Math.abs(value) * POWERS_OF_TEN[decimals] < 1.8e19) { // below 2^64 with room for the rounding
            int exponent = (int) (bits >>> 52) & 0x7ff;
            long mantissa = bits & 0xfffffffffffffL;
            int shift = exponent == 0 ? 1074 : 1075 - exponent; // |value| = mantissa / 2^shift, shift > 0 here
            if (exponent != 0) {
                mantissa |= 1L << 52;
            }
            long power = POWERS_OF_TEN[decimals];
            digits = Long.toUnsignedString(divideRoundingHalfEven(Math.unsignedMultiplyHigh(mantissa, power),
                    mantissa * power, shift));
        } else {
            digits = new BigDecimal(Math.abs(value)).setScale(decimals, RoundingMode.HALF_EVEN).unscaledValue().toString();
        }
        int integerDigits = Math.max(1, digits.length() - decimals);
        byte[] text = new byte[(negative ? 1 : 0) + integerDigits + (decimals > 0 ? 1 + decimals : 0)];
        int at = 0;
        if (negative) {
            text[at++] = '-';
        }
        int padding = integerDigits + decimals - digits.length(); // the leading zeros of a value below 1
        for (int i = 0; i < integerDigits + decimals; i++) {
            if (i == integerDigits) {
                text[at++] = '.';
            }
            text[at++] = (byte) (i < padding ? '0' : digits.charAt(i - padding));
        }
        return text;
    }

    /** The 128-bit {@code high:low} divided by 2^{@code shift} (at least 1), rounded half to even; the caller knows it fits in 64 bits. */
    private static long divideRoundingHalfEven(long high, long low, int shift) {
        if (shift >= 128) {
            return 0; // a product below 2^110 over 2^128: less than a half
        }
        long quotient;
        int compared; // the remainder against half the divisor
        if (shift < 64) {
            quotient = (low >>> shift) | (high << 1 << (63 - shift)); // high << (64 - shift), defined for shift 0..63
            long remainder = low & ((1L << shift) - 1);
            compared = Long.compareUnsigned(remainder, 1L << (shift - 1));
        } else {
            int s = shift - 64;
            quotient = high >>> s;
            long remainderHigh = s == 0 ? 0 : high & ((1L << s) - 1);
            long halfHigh = s == 0 ? 0 : 1L << (s - 1);
            long halfLow = s == 0 ? 1L << 63 : 0;
            compared = remainderHigh != halfHigh ? Long.compareUnsigned(remainderHigh, halfHigh)
                    : Long.compareUnsigned(low, halfLow);
        }
        if (compared > 0 || (compared == 0 && (quotient & 1) != 0)) {
            quotient++;
        }
        return quotient;
    }
}
