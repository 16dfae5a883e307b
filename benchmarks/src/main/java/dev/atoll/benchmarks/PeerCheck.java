package dev.atoll.benchmarks;

/**
 * A sanity check of a peer before a comparison with it counts: one of its figures against the same
 * figure of a reference measured in the same run, which must reach {@code minimum} (peer / reference
 * for a throughput). A peer configured badly (one event loop, a slow collector, an access log, no
 * keep-alive) falls below the reference and the run says so, instead of flattering Atoll.
 *
 * @param name           what is compared, e.g. {@code plaintext requests/s}
 * @param peer           the peer checked, e.g. {@code netty}
 * @param reference      what it is held against, e.g. {@code nio-reference}
 * @param peerValue      the peer's figure
 * @param referenceValue the reference's figure
 * @param minimum        the lowest peer / reference that passes
 * @param why            why the minimum is what it is, for the reader of the report
 */
public record PeerCheck(String name, String peer, String reference, double peerValue, double referenceValue,
                        double minimum, String why) {

    /** Peer / reference: NaN when either figure is missing or the reference is zero. */
    public double ratio() {
        return referenceValue > 0 && Double.isFinite(peerValue) && Double.isFinite(referenceValue)
                ? peerValue / referenceValue : Double.NaN;
    }

    /** True when the peer reached the minimum; a check that could not be computed never passes. */
    public boolean passed() {
        double ratio = ratio();
        return Double.isFinite(ratio) && ratio >= minimum;
    }
}
