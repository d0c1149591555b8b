package dev.couponpipeline.config;

/**
 * Names of our message headers (they travel as Kafka record headers) and exchange properties. None starts with
 * {@code Camel} or {@code kafka.}: Camel's Kafka header filter would drop those.
 */
public final class CouponHeaders {

    /** Run the record belongs to: the aggregator's correlation key. */
    public static final String RUN_ID = "couponRunId";
    /** Source id (the {@code name} of the route-template instance). */
    public static final String SOURCE = "couponSource";
    /** {@code data}, {@code end} or {@code abort}. */
    public static final String KIND = "couponKind";
    /** On an end record: codes the producer sent to this partition. */
    public static final String CODES = "couponCodes";
    /** On an end record: the partition it closes, and how many partitions the producer wrote. */
    public static final String PARTITION = "couponPartition";
    public static final String PARTITIONS = "couponPartitions";
    /** On an abort record: why the source failed. */
    public static final String REASON = "couponReason";
    /** What started the run: schedule, http, startup, once. */
    public static final String TRIGGER = "couponTrigger";

    /** Exchange property holding the open {@code SourceReader} of a source route. */
    public static final String READER = "couponSourceReader";
    /** Exchange property set by a source route that failed: the reason, naming the file. */
    public static final String SOURCE_FAILURE = "couponSourceFailure";

    private CouponHeaders() {
    }
}
