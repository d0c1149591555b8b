package dev.couponpipeline.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A record on the control topic, in control partition {@code partition}: "source {@code source} of run
 * {@code run} has sent everything it has for partition {@code partition}", with exactly where it is (the first
 * and last offset of its records in that partition of {@code topic}) and how much (records and codes), or
 * "source {@code source} of run {@code run} failed" ({@code kind} abort, with the reason).
 *
 * <p>A run is therefore data: the set of these records. The aggregator reads back exactly the ranges they name,
 * and replaying the control topic replays the run. A replay of run X as run Y sends X's end records again under Y,
 * with {@code dataRun} X: Y reads X's records. Values are JSON, readable with any Kafka tool.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlRecord(
        String run,
        String source,
        String kind,
        int partition,
        int partitions,
        String topic,
        long first,
        long last,
        long records,
        long codes,
        String reason,
        String dataRun) {

    public static final String END = "end";
    public static final String ABORT = "abort";

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Source {@code source} sent {@code records} records holding {@code codes} codes at offsets first..last. */
    public static ControlRecord ended(
            String run,
            String source,
            int partition,
            int partitions,
            String topic,
            long first,
            long last,
            long records,
            long codes) {
        return new ControlRecord(
                run, source, END, partition, partitions, topic, first, last, records, codes, null, null);
    }

    /** Source {@code source} failed; the run can never complete. */
    public static ControlRecord aborted(String run, String source, int partition, int partitions, String reason) {
        return new ControlRecord(run, source, ABORT, partition, partitions, null, -1, -1, 0, 0, reason, null);
    }

    /**
     * The run whose records the range holds: this run's own, or, for a replay, the run it replays ({@code dataRun}:
     * its records are read again, under this run's id).
     */
    public String recordsOf() {
        return dataRun == null ? run : dataRun;
    }

    /** This end record for run {@code newRun}, which reads this one's records again (a replay). */
    public ControlRecord replayedAs(String newRun) {
        return new ControlRecord(
                newRun, source, kind, partition, partitions, topic, first, last, records, codes, reason, recordsOf());
    }

    public boolean isAbort() {
        return ABORT.equals(kind);
    }

    /** True when the source sent nothing to this partition (no range to read). */
    public boolean isEmpty() {
        return records == 0;
    }

    public byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IllegalArgumentException when the bytes are not a control record */
    public static ControlRecord parse(byte[] value) {
        ControlRecord r;
        try {
            r = JSON.readValue(value, ControlRecord.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a control record: " + e.getMessage(), e);
        }
        if (r.run() == null
                || r.source() == null
                || !(END.equals(r.kind()) || ABORT.equals(r.kind()))
                || r.partitions() < 1
                || r.partition() < 0
                || r.partition() >= r.partitions()) {
            throw new IllegalArgumentException(
                    "not a control record: " + new String(value, java.nio.charset.StandardCharsets.UTF_8));
        }
        return r;
    }
}
