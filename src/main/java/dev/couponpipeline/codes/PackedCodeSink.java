package dev.couponpipeline.codes;

/**
 * A {@link CodeSink} that also takes codes already packed by the extractor ({@link
 * dev.couponpipeline.codes.CodePacking}: up to ten letters or digits in 60 bits): the byte scanner packs a code
 * while it scans it, so the bytes are never read twice.
 */
public interface PackedCodeSink extends CodeSink {

    /**
     * Codes that pack, as their packed values {@code codes[0..n)}, in the order found; the array is valid during
     * the call only. Codes come in batches, so that a code costs no call of its own.
     */
    void packed(long[] codes, int n);
}
