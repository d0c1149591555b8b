package dev.couponpipeline.aggregate;

import java.nio.ByteBuffer;
import java.util.List;

/** Where a part's records are read from: exactly its ranges ({@link RangeReader}, from Kafka). */
@FunctionalInterface
public interface RangeSource {

    /** Receives each record of the run in a range. */
    @FunctionalInterface
    interface RecordSink {
        void record(int source, ByteBuffer value);
    }

    /**
     * Hands the records of {@code runId} in {@code ranges} to {@code sink}; returns the records handed over, per
     * source index.
     */
    long[] read(String runId, List<RangeReader.Range> ranges, int sources, RecordSink sink);
}
