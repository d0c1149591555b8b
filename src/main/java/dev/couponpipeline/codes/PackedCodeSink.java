package dev.couponpipeline.codes;

/**
 * A {@link CodeSink} that also takes codes already packed by the extractor ({@link
 * dev.couponpipeline.codes.CodePacking}: up to ten letters or digits in 60 bits): the byte scanner packs a code
 * while it scans it, so the bytes are never read twice.
 */
public interface PackedCodeSink extends CodeSink {

    /** A code that packs, as its packed value. */
    void packed(long packedCode);
}
