package dev.couponpipeline.files;

import java.io.IOException;

/** The bytes are not a complete, intact gzip stream; the message says where and why. */
public final class GzipFormatException extends IOException {

    public GzipFormatException(String message) {
        super(message);
    }

    public GzipFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
