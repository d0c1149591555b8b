package dev.couponpipeline.codes;

import java.io.IOException;

/**
 * Finds the codes in a stream of decompressed bytes fed in arbitrary chunks; one instance per source file.
 *
 * <p>Implementations keep the state that spans chunk boundaries (a code cut in two, the current line), so the
 * codes found never depend on how the input was chunked.
 */
public interface CodeExtractor {

    /** Scans the next chunk of the stream. */
    void feed(byte[] buf, int off, int len, CodeSink sink) throws IOException;

    /** Ends the stream: a code that runs up to the very last byte is emitted here. */
    void finish(CodeSink sink) throws IOException;

    /** Number of lines started so far (the line of the last byte fed, 1-based). */
    long lineNumber();
}
