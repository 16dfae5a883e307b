package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link GeoHash} without a server: the values redis-server 7.0.15 gave (scores, positions, geohash
 * strings, C's conversion of odd scores), and the decimal texts against {@code BigDecimal}'s exact
 * expansion rounded half to even, as glibc's printf rounds.
 */
class GeoHashTest {
    @Test
    void scoresPositionsAndHashesAreRedisS() {
        assertEquals(3479099956230698L, GeoHash.score(13.361389, 38.115556));
        assertEquals(3479447370796909L, GeoHash.score(15.087269, 37.502669));
        double[] lonLat = new double[2];
        GeoHash.decodeScore(3479099956230698.0, lonLat);
        assertEquals("13.36138933897018433", text(GeoHash.coordinate(lonLat[0])));
        assertEquals("38.11555639549629859", text(GeoHash.coordinate(lonLat[1])));
        assertEquals("sqc8b49rny0", text(GeoHash.text(3479099956230698.0)));
        assertEquals("zzpgzgpfxz0", text(GeoHash.text(4503599627370495.0)));
        GeoHash.decodeScore(4503599627370496.0, lonLat); // 2^52: past the latitudes, clamped
        assertEquals("85.0511287799999991", text(GeoHash.coordinate(lonLat[1])));
        GeoHash.decodeScore(Double.NEGATIVE_INFINITY, lonLat); // C's conversion: 2^63, the top longitude bit
        assertEquals("180", text(GeoHash.coordinate(lonLat[0])));
        assertEquals(0, GeoHash.bitsOf(1e300));
        assertEquals(0, GeoHash.bitsOf(Double.POSITIVE_INFINITY));
        assertEquals(Long.MIN_VALUE, GeoHash.bitsOf(Double.NEGATIVE_INFINITY));
        assertEquals(Long.MIN_VALUE + 2048, GeoHash.bitsOf(0x1p63 + 2048));
        assertEquals("166.2742", text(GeoHash.distanceText(GeoHash.distance(13.36138933897018433, 38.11555639549629859,
                15.08726745843887329, 37.50266842333162032) / 1000)));
    }

    @Test
    void fixedPointTextIsTheExactValueRoundedHalfToEven() {
        Random random = new Random(18);
        double[] edges = {0.0, -0.0, 0.5, 1.5, 2.5, 0.00005, 0.00015, 0.125, 180, -180, 1e-300, Double.MIN_VALUE, 92.3, 1e300};
        for (double v : edges) {
            for (int decimals : new int[] {4, 6, 17}) {
                assertEquals(reference(v, decimals), text(GeoHash.fixed(v, decimals)), v + " to " + decimals);
            }
        }
        for (int i = 0; i < 200_000; i++) {
            double v = switch (i % 4) {
                case 0 -> random.nextDouble() * 360 - 180;
                case 1 -> random.nextDouble() * 2e7;
                case 2 -> Math.round(random.nextDouble() * 1e6) / 1e4 + 0.00005; // near a tie at 4 decimals
                default -> Math.scalb(random.nextDouble(), -random.nextInt(80));
            };
            for (int decimals : new int[] {4, 6, 17}) {
                assertEquals(reference(v, decimals), text(GeoHash.fixed(v, decimals)), v + " to " + decimals);
            }
        }
        assertEquals("0", text(GeoHash.coordinate(-1e-20))); // "-0" is printed "0", as Redis does
    }

    /** C's %.Nf: the exact value rounded half to even, with the sign of a negative value even when it rounds to 0. */
    private static String reference(double v, int decimals) {
        String text = new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        return (Double.doubleToRawLongBits(v) < 0 && !text.startsWith("-")) ? "-" + text : text;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
