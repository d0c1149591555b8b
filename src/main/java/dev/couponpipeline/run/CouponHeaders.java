package dev.couponpipeline.run;

/**
 * Names of our message headers (the first two also travel as Kafka record headers of every data record) and
 * exchange properties. None starts with {@code Camel} or {@code kafka.}: Camel's Kafka header filter would drop
 * those.
 */
public final class CouponHeaders {

    /** Run the record belongs to: lets a range reader skip another run's records. */
    public static final String RUN_ID = "couponRunId";
    /** Source id (the {@code name} of the route-template instance). */
    public static final String SOURCE = "couponSource";
    /** What started the run: schedule, http, startup, once, retry. */
    public static final String TRIGGER = "couponTrigger";

    /** Exchange property set by a source route that failed: the reason, naming the file. */
    public static final String SOURCE_FAILURE = "couponSourceFailure";

    private CouponHeaders() {}
}
