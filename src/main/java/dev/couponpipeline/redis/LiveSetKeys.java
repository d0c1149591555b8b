package dev.couponpipeline.redis;

/** The Redis key names derived from {@code coupon.redis.key}. */
public record LiveSetKeys(String live) {

    public String meta() {
        return live + ":meta";
    }

    public String staging(String runId) {
        return live + ":staging:" + runId;
    }

    public String stagingPattern() {
        return live + ":staging:*";
    }

    /** The parts of a run staged so far, by partition (several aggregator instances share a run). */
    public String parts(String runId) {
        return live + ":parts:" + runId;
    }

    /** Why a run can never complete, when an aggregator found out (every instance reads it). */
    public String failure(String runId) {
        return live + ":failure:" + runId;
    }

    public String trash(String runId) {
        return live + ":trash:" + runId;
    }
}
