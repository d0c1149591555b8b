package dev.couponpipeline.run;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many distinct codes to size a run's table for: the operator's {@code coupon.aggregator.expected-codes}
 * when set, else the last published run's count plus 5 % (files change little from day to day), else nothing
 * (the table grows). Never more than 60 % of the heap, so a wrong guess cannot exhaust memory.
 */
public final class TableSizing {

    private static final Logger LOG = LoggerFactory.getLogger(TableSizing.class);
    /** Bytes a presized table takes per expected code: 8-byte slots at 80 % load. */
    private static final double BYTES_PER_CODE = 8 / 0.8;

    private final long configured;
    private final LongSupplier lastRun;
    private final long maxHeap;

    public TableSizing(long configured, LongSupplier lastRun, long maxHeap) {
        this.configured = configured;
        this.lastRun = lastRun;
        this.maxHeap = maxHeap;
    }

    public long expectedCodes() {
        long wanted = configured > 0 ? configured : (long) (lastRun.getAsLong() * 1.05);
        long cap = (long) (maxHeap * 0.6 / BYTES_PER_CODE);
        long expected = Math.min(wanted, cap);
        if (expected > 0) {
            LOG.info("Sizing the code table for {} distinct codes ({})", expected,
                    configured > 0 ? "coupon.aggregator.expected-codes" : "the last published run + 5 %");
        }
        return expected;
    }
}
