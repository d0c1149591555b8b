package dev.couponpipeline.run;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What this process does, from {@code coupon.role}: {@code producer} (schedule, runs, reading the files into
 * Kafka), {@code aggregator} (Kafka to the table to Redis), {@code api} (the HTTP validation API), a comma list
 * of them, or {@code all} (the default: everything in one process).
 */
public record Roles(boolean producer, boolean aggregator, boolean api) {

    public static final String KEY = "coupon.role";
    private static final Set<String> KNOWN = Set.of("all", "producer", "aggregator", "api");

    public static Roles parse(String value) {
        String v = value == null || value.isBlank() ? "all" : value;
        Set<String> roles = new TreeSet<>();
        for (String r : v.toLowerCase(Locale.ROOT).split(",")) {
            String role = r.trim();
            if (!KNOWN.contains(role)) {
                throw new IllegalArgumentException(
                        KEY + " must be all or a comma list of producer, aggregator, " + "api; was '" + value + "'");
            }
            roles.add(role);
        }
        if (roles.contains("all")) {
            return new Roles(true, true, true);
        }
        return new Roles(roles.contains("producer"), roles.contains("aggregator"), roles.contains("api"));
    }

    /** Kafka is needed to produce or to aggregate. */
    public boolean needsKafka() {
        return producer || aggregator;
    }

    @Override
    public String toString() {
        return String.join(
                ",",
                Arrays.stream(new String[] {
                            producer ? "producer" : null, aggregator ? "aggregator" : null, api ? "api" : null
                        })
                        .filter(s -> s != null)
                        .toList());
    }
}
