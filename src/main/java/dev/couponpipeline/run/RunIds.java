package dev.couponpipeline.run;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Issues run ids that sort in time order as plain strings ({@code 20261123T020000.000Z}), so Redis can tell an
 * older run from a newer one with a string comparison.
 */
public final class RunIds {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private long lastMillis;

    /** When the run started, read back from its id; null for an id this class did not issue. */
    public static Instant startOf(String runId) {
        try {
            return Instant.from(FORMAT.parse(runId));
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    public synchronized String next(Instant now) {
        long ms = Math.max(now.toEpochMilli(), lastMillis + 1);
        lastMillis = ms;
        return FORMAT.format(Instant.ofEpochMilli(ms));
    }
}
