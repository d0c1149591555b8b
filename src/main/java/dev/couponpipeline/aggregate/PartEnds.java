package dev.couponpipeline.aggregate;

import dev.couponpipeline.records.ControlRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * What the aggregator knows about one partition of one run before reading it: which sources have ended it (a bit
 * each, in source order) and where each one's records are, or why the part can never complete (a source aborted,
 * or the control records disagree). Built by folding the part's control records, one per source.
 */
public final class PartEnds {

    private final String runId;
    private final int partition;
    private final List<String> sources;
    private final ControlRecord[] ends;
    private int partitions = -1;
    private long ended;
    private String failure;
    private String recordsOf;

    public PartEnds(String runId, int partition, List<String> sources) {
        this.runId = runId;
        this.partition = partition;
        this.sources = List.copyOf(sources);
        this.ends = new ControlRecord[sources.size()];
    }

    /** Folds one control record of this part in. The same record again (a replay) changes nothing. */
    public void add(ControlRecord r) {
        int s = sources.indexOf(r.source());
        if (s < 0) {
            fail("a control record from source '" + r.source() + "', which this aggregator does not know (it knows "
                    + sources + "): every instance needs the same routes/");
            return;
        }
        if (partitions < 0) {
            partitions = r.partitions();
        } else if (partitions != r.partitions()) {
            fail("source " + r.source() + " wrote " + r.partitions() + " partitions, another source " + partitions
                    + ": every source of a run must use the same coupon.kafka.partitions");
            return;
        }
        if (r.isAbort()) {
            fail("source " + r.source() + " failed: " + (r.reason() == null ? "no reason given" : r.reason()));
            return;
        }
        if (recordsOf == null) {
            recordsOf = r.recordsOf();
        } else if (!recordsOf.equals(r.recordsOf())) {
            fail("source " + r.source() + " points at the records of run " + r.recordsOf() + ", another source at"
                    + " those of run " + recordsOf + ": a run reads the records of one run only");
            return;
        }
        ends[s] = r;
        ended |= 1L << s;
    }

    private void fail(String reason) {
        if (failure == null) {
            failure = reason;
        }
    }

    /** Every source has ended the part, or it failed: the aggregator acts on it now. */
    public boolean isFinished() {
        return failure != null || isComplete();
    }

    /** Every source has ended the part and nothing disagrees: it can be read and published. */
    public boolean isComplete() {
        return failure == null && Long.bitCount(ended) == sources.size();
    }

    /** The ranges to read, one per source that sent anything to this partition. */
    public List<RangeReader.Range> ranges() {
        List<RangeReader.Range> ranges = new ArrayList<>();
        for (int s = 0; s < ends.length; s++) {
            ControlRecord r = ends[s];
            if (r != null && !r.isEmpty()) {
                ranges.add(new RangeReader.Range(s, r.topic(), partition, r.first(), r.last()));
            }
        }
        return ranges;
    }

    /** The control record of source {@code s}, or null when it has not ended the part. */
    public ControlRecord end(int s) {
        return ends[s];
    }

    /** Codes the sources sent to this partition, all together. */
    public long codes() {
        long n = 0;
        for (ControlRecord r : ends) {
            n += r == null ? 0 : r.codes();
        }
        return n;
    }

    /** Sources that have not ended the part. */
    public List<String> missing() {
        List<String> m = new ArrayList<>();
        for (int s = 0; s < sources.size(); s++) {
            if ((ended & 1L << s) == 0) {
                m.add(sources.get(s));
            }
        }
        return m;
    }

    public String runId() {
        return runId;
    }

    /** The run whose records are in the ranges: this run, or the run it replays. */
    public String recordsOf() {
        return recordsOf == null ? runId : recordsOf;
    }

    public int partition() {
        return partition;
    }

    public int partitions() {
        return partitions;
    }

    public List<String> sources() {
        return sources;
    }

    public String failure() {
        return failure;
    }

    @Override
    public String toString() {
        return "run " + runId + " partition " + partition + (partitions > 0 ? " of " + partitions : "");
    }
}
