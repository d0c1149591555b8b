package dev.couponpipeline.codes;

/** Receives each code an extractor finds, as a slice of a buffer that is only valid during the call. */
@FunctionalInterface
public interface CodeSink {

    void code(byte[] buf, int off, int len);
}
