package dev.couponpipeline.aggregate;

/** A part of a run can never be completed (counts disagree, records gone): the run fails, no retry helps. */
public final class PartFailedException extends RuntimeException {

    public PartFailedException(String message) {
        super(message);
    }

    public PartFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
