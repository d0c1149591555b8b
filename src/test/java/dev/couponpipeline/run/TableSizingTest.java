package dev.couponpipeline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Proves the table is sized from the setting, else the last run, and never beyond 60 % of the heap. */
class TableSizingTest {

    private static final long HEAP = 6L << 30;

    @Test
    void should_prefer_the_setting_then_the_last_run_then_growth() {
        assertEquals(1_000_000, new TableSizing(1_000_000, () -> 5_000_000, HEAP).expectedCodes());
        assertEquals(5_250_000, new TableSizing(0, () -> 5_000_000, HEAP).expectedCodes());
        assertEquals(0, new TableSizing(0, () -> 0, HEAP).expectedCodes());
    }

    @Test
    void should_never_presize_beyond_60_percent_of_the_heap() {
        long cap = (long) (HEAP * 0.6 / 10.0);
        assertEquals(cap, new TableSizing(0, () -> 10_000_000_000L, HEAP).expectedCodes());
        assertEquals(cap, new TableSizing(10_000_000_000L, () -> 0, HEAP).expectedCodes());
    }
}
