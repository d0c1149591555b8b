package dev.couponpipeline.publish;

import java.util.Map;
import java.util.TreeMap;

/**
 * The live set's metadata hash ({@code <key>:meta}) as the swap script writes it: the live run's id, its counts,
 * when it was published, and per source its codes and its file's fingerprint. Empty when nothing is published.
 */
public record LiveSetMeta(Map<String, String> fields) {

    static LiveSetMeta of(Map<Object, Object> raw) {
        Map<String, String> f = new TreeMap<>();
        raw.forEach((k, v) -> f.put(k.toString(), v.toString()));
        return new LiveSetMeta(Map.copyOf(f));
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    public String runId() {
        return fields.get("runId");
    }

    public String publishedAt() {
        return fields.get("publishedAt");
    }

    /** A count the script recorded ({@code codes}, {@code distinctCodes}, {@code added}, ...), or {@code fallback}. */
    public long count(String name, long fallback) {
        String v = fields.get(name);
        return v == null ? fallback : Long.parseLong(v);
    }

    /** Codes read per source, by source id. */
    public Map<String, Long> codesPerSource() {
        Map<String, Long> out = new TreeMap<>();
        fields.forEach((k, v) -> {
            if (k.startsWith("source.") && k.endsWith(".codes")) {
                out.put(k.substring("source.".length(), k.length() - ".codes".length()), Long.parseLong(v));
            }
        });
        return out;
    }

    /** The recorded fingerprint of a source's file (see {@code FileFingerprint}), or null. */
    public String fingerprint(String source) {
        return fields.get("source." + source + ".fingerprint");
    }
}
