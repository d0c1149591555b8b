package dev.couponpipeline.files;

/** Reading a source file failed; the message names the file and the reason, ready for an operator. */
public final class SourceException extends RuntimeException {

    private final String file;
    private final String reason;

    public SourceException(String file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    public String reason() {
        return reason;
    }
}
