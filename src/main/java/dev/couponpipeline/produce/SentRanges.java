package dev.couponpipeline.produce;

import java.util.Arrays;

/**
 * What one source sent to each partition of its topic, learned from the producer's acknowledgements: the first
 * and last offset of its records there, how many records and codes. Once every send is acknowledged, this is
 * what the source's control records say. The first send that fails is kept: the source then aborts.
 *
 * <p>Thread-safe: sends are counted on the route's thread, acknowledgements arrive on the producer's I/O thread.
 */
public final class SentRanges {

    private final long[] first;
    private final long[] last;
    private final long[] records;
    private final long[] codes;
    private long pending;
    private Exception failure;

    public SentRanges(int partitions) {
        first = new long[partitions];
        last = new long[partitions];
        records = new long[partitions];
        codes = new long[partitions];
        Arrays.fill(first, -1);
        Arrays.fill(last, -1);
    }

    /** A record of {@code codes} codes is being sent to {@code partition}. */
    public synchronized void sending(int partition, int codes) {
        this.codes[partition] += codes;
        records[partition]++;
        pending++;
    }

    /** The broker acknowledged a record at {@code offset}, or the send failed. */
    public synchronized void acknowledged(int partition, long offset, Exception error) {
        pending--;
        if (error != null) {
            if (failure == null) {
                failure = error;
            }
            return;
        }
        if (first[partition] < 0 || offset < first[partition]) {
            first[partition] = offset;
        }
        last[partition] = Math.max(last[partition], offset);
    }

    /** The first failed send, or null. */
    public synchronized Exception failure() {
        return failure;
    }

    /** Sends not acknowledged yet. */
    public synchronized long pending() {
        return pending;
    }

    public int partitions() {
        return first.length;
    }

    public synchronized long first(int p) {
        return first[p];
    }

    public synchronized long last(int p) {
        return last[p];
    }

    public synchronized long records(int p) {
        return records[p];
    }

    public synchronized long codes(int p) {
        return codes[p];
    }
}
