package dev.couponpipeline.codes;

import java.io.IOException;

/** A line of the decompressed input is longer than the configured limit (a file that is not a code list). */
public final class LineTooLongException extends IOException {

    public LineTooLongException(long lineNumber, long maxLineBytes) {
        super("line " + lineNumber + " is longer than " + maxLineBytes
                + " bytes (coupon.max-line-bytes); this does not look like a list of codes");
    }
}
