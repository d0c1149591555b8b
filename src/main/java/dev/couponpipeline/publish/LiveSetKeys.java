package dev.couponpipeline.publish;

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

    /** Held by the one instance restoring a vanished live set, for the watch's interval (SET NX PX). */
    public String restoreClaim() {
        return live + ":restoring";
    }

    /** The run the guard before the swap holds (at most one): its id, why, and its counts. */
    public String held() {
        return live + ":held";
    }

    /** The run history: run ids scored by start time (the newest {@code coupon.runs.history} are kept). */
    public String runs() {
        return live + ":runs";
    }

    /** One run's history entry (a hash every instance writes its part of). */
    public String run(String runId) {
        return live + ":run:" + runId;
    }
}
