package dev.couponpipeline.aggregate;

/** Reading a range made no progress for too long (Kafka unreachable or slow): reading it again may succeed. */
public final class RangeStalledException extends RuntimeException {

    public RangeStalledException(String message) {
        super(message);
    }
}
