package dev.atoll.benchmarks;

/**
 * A sanity check of a peer before a comparison with it counts: one of its figures against the same
 * figure of a reference measured in the same run; the ratio, oriented so that above 1 means the peer
 * does better (peer / reference for a throughput, reference / peer for a CPU time per request), must
 * reach {@code minimum}. A peer configured badly (one event loop, a slow collector, an access log, no
 * keep-alive) falls below the reference and the run says so, instead of flattering Atoll.
 *
 * @param name           what is compared, e.g. {@code plaintext requests/s}
 * @param peer           the peer checked, e.g. {@code netty}
 * @param reference      what it is held against, e.g. {@code nio-reference}
 * @param peerValue      the peer's figure
 * @param referenceValue the reference's figure
 * @param better         which direction of the figure is good
 * @param minimum        the lowest ratio that passes
 * @param why            why the minimum is what it is, for the reader of the report
 */
public record PeerCheck(String name, String peer, String reference, double peerValue, double referenceValue,
                        BenchReport.Better better, double minimum, String why) {

    /** Above 1 = the peer does better than the reference; NaN when a figure is missing or zero. */
    public double ratio() {
        if (!(peerValue > 0 && referenceValue > 0 && Double.isFinite(peerValue) && Double.isFinite(referenceValue))) {
            return Double.NaN;
        }
        return better == BenchReport.Better.HIGHER ? peerValue / referenceValue : referenceValue / peerValue;
    }

    /** True when the peer reached the minimum; a check that could not be computed never passes. */
    public boolean passed() {
        double ratio = ratio();
        return Double.isFinite(ratio) && ratio >= minimum;
    }
}
