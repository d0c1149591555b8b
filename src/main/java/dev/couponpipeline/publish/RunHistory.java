package dev.couponpipeline.publish;

import dev.couponpipeline.run.RunIds;
import dev.couponpipeline.run.RunResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * The run history, in Redis so every instance and a restarted process show the same: {@code <key>:runs} (run ids
 * scored by start time, the newest {@code limit} kept) and one hash per run, {@code <key>:run:<id>}, that each
 * part of the pipeline fills in: the producer (trigger, files, bytes and codes read, sent), the swap script (parts
 * done, counts, added and removed, published or held), whoever learns of a failure.
 *
 * <p>The history is for people: a write that fails (Redis away) is logged and dropped, and never fails a run.
 */
public final class RunHistory {

    private static final Logger LOG = LoggerFactory.getLogger(RunHistory.class);

    /** Adds a run to the index and its first fields, then drops the oldest runs beyond the limit, with their hashes. */
    private static final String ADD = String.join(
            "\n",
            "redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])",
            "redis.call('HSET', KEYS[2], unpack(ARGV, 5))",
            "local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])",
            "if extra > 0 then",
            "  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, extra - 1)) do redis.call('UNLINK', ARGV[4] .. id) end",
            "  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)",
            "end",
            "return extra");

    /** Sets fields of a run only while it is running (a failure reported after the swap changes nothing). */
    private static final String END_IF_RUNNING = String.join(
            "\n",
            "if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end",
            "redis.call('HSET', KEYS[1], unpack(ARGV))",
            "return 1");

    private final StringRedisTemplate redis;
    private final LiveSetKeys keys;
    private final Clock clock;
    private final int limit;
    private final DefaultRedisScript<Long> add = new DefaultRedisScript<>(ADD, Long.class);
    private final DefaultRedisScript<Long> endIfRunning = new DefaultRedisScript<>(END_IF_RUNNING, Long.class);
    private final RunIds skippedIds = new RunIds();

    public RunHistory(StringRedisTemplate redis, LiveSetKeys keys, Clock clock, int limit) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        this.limit = Math.max(1, limit);
    }

    /** A history that records nothing (a test of the source routes without Redis). */
    public static RunHistory none() {
        return new RunHistory(null, new LiveSetKeys("none"), Clock.systemUTC(), 1);
    }

    /** A run started: its trigger and sources. */
    public void started(String runId, String trigger, List<String> sources) {
        Instant start = startOf(runId);
        add(
                runId,
                start,
                "id",
                runId,
                "trigger",
                trigger,
                "state",
                "running",
                "startedAt",
                start.toString(),
                "startedAtMs",
                Long.toString(start.toEpochMilli()),
                "sources",
                String.join(",", sources));
    }

    /** A trigger came while a run was in flight: recorded as a skipped run, with why. */
    public void skipped(String trigger, String reason) {
        Instant now = clock.instant();
        String id = skippedIds.next(now) + "-skipped";
        add(
                id,
                now,
                "id",
                id,
                "trigger",
                trigger,
                "state",
                "skipped",
                "reason",
                reason,
                "startedAt",
                now.toString(),
                "startedAtMs",
                Long.toString(now.toEpochMilli()),
                "endedAt",
                now.toString(),
                "endedAtMs",
                Long.toString(now.toEpochMilli()));
    }

    /** A source's file was opened. */
    public void sourceOpened(String runId, String source, String file, long size) {
        set(
                runId,
                "source." + source + ".file",
                file,
                "source." + source + ".size",
                Long.toString(size),
                "source." + source + ".state",
                "reading",
                "source." + source + ".bytesRead",
                "0",
                "source." + source + ".codes",
                "0");
    }

    /** How far a source has read (while it reads). */
    public void sourceProgress(String runId, String source, long bytesRead, long codes) {
        set(
                runId,
                "source." + source + ".bytesRead",
                Long.toString(bytesRead),
                "source." + source + ".codes",
                Long.toString(codes));
    }

    /**
     * A source is in Kafka: what it read, and the file's fingerprint (size, modification time, CRC32C), which the
     * swap copies into the live set's metadata.
     */
    public void sourceSent(String runId, String source, long bytesRead, long codes, String fingerprint) {
        set(
                runId,
                "source." + source + ".bytesRead",
                Long.toString(bytesRead),
                "source." + source + ".codes",
                Long.toString(codes),
                "source." + source + ".state",
                "sent",
                "source." + source + ".fingerprint",
                fingerprint);
    }

    public void sourceFailed(String runId, String source) {
        set(runId, "source." + source + ".state", "failed");
    }

    /** The run rebuilds run {@code replayOf} from Kafka (no file read). */
    public void replayOf(String runId, String replayOf) {
        set(runId, "replayOf", replayOf);
    }

    /** Every source of the run is in Kafka: the aggregation phase begins. */
    public void sourcesSent(String runId) {
        set(runId, "sentAtMs", Long.toString(clock.millis()));
    }

    /** How long the swap (the script of the last part) took. */
    public void swapTook(String runId, long millis) {
        set(runId, "phase.swap.ms", Long.toString(millis));
    }

    /**
     * How a run ended, as this process learned it. A failure is recorded while the run is still running; a
     * published or held run was recorded by the swap script already.
     */
    public void ended(RunResult result) {
        if (result.failure() == null || redis == null) {
            return;
        }
        Instant now = clock.instant();
        try {
            redis.execute(
                    endIfRunning,
                    List.of(keys.run(result.runId())),
                    "state",
                    "failed",
                    "reason",
                    result.failure(),
                    "endedAt",
                    now.toString(),
                    "endedAtMs",
                    Long.toString(now.toEpochMilli()));
        } catch (RuntimeException e) {
            LOG.warn("Could not record the failure of run {} in the run history: {}", result.runId(), e.toString());
        }
    }

    /** The newest {@code max} runs, newest first. */
    public List<Map<String, Object>> list(int max) {
        List<String> ids = new ArrayList<>();
        var range = redis.opsForZSet().reverseRange(keys.runs(), 0, Math.max(1, max) - 1L);
        if (range == null || range.isEmpty()) {
            return List.of();
        }
        ids.addAll(range);
        List<Object> hashes = redis.executePipelined(
                (RedisCallback<Object>) c -> {
                    for (String id : ids) {
                        c.hashCommands().hGetAll(keys.run(id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    }
                    return null;
                },
                redis.getHashValueSerializer());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object h : hashes) {
            if (h instanceof Map<?, ?> m && !m.isEmpty()) {
                out.add(view(m, false));
            }
        }
        return out;
    }

    /** One run, with its parts; null when the history does not hold it. */
    public Map<String, Object> get(String runId) {
        Map<Object, Object> h = redis.opsForHash().entries(keys.run(runId));
        return h.isEmpty() ? null : view(h, true);
    }

    /** A run's phase durations in seconds (produce, aggregate, partsWorker, swap), as far as they are known. */
    @SuppressWarnings("unchecked")
    public Map<String, Double> phases(String runId) {
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            Map<String, Object> run = get(runId);
            if (run != null) {
                ((Map<String, Object>) run.get("phases"))
                        .forEach((k, v) -> out.put(k.replace("Seconds", ""), ((Number) v).doubleValue()));
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not read run {}'s phases: {}", runId, e.toString());
        }
        return out;
    }

    /** The state of a run as the history holds it, or null. */
    public String stateOf(String runId) {
        Object v = redis.opsForHash().get(keys.run(runId), "state");
        return v == null ? null : v.toString();
    }

    /** A run's entry as the API shows it: fields in order, sources and parts nested, phases in seconds. */
    static Map<String, Object> view(Map<?, ?> raw, boolean withParts) {
        Map<String, String> f = new TreeMap<>();
        raw.forEach((k, v) -> f.put(String.valueOf(k), String.valueOf(v)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", f.get("id"));
        out.put("trigger", f.get("trigger"));
        if (f.containsKey("replayOf")) {
            out.put("replayOf", f.get("replayOf"));
        }
        out.put("state", f.get("state"));
        if (f.containsKey("reason")) {
            out.put("reason", f.get("reason"));
        }
        out.put("startedAt", f.get("startedAt"));
        out.put("endedAt", f.get("endedAt"));
        Long started = longOf(f, "startedAtMs");
        Long sent = longOf(f, "sentAtMs");
        Long ended = longOf(f, "endedAtMs");
        if (started != null && ended != null) {
            out.put("durationSeconds", (ended - started) / 1000.0);
        }
        List<Map<String, Object>> sources = new ArrayList<>();
        String names = f.getOrDefault("sources", "");
        for (String name : names.isEmpty() ? new String[0] : names.split(",")) {
            Map<String, Object> s = new LinkedHashMap<>();
            String p = "source." + name + ".";
            s.put("name", name);
            s.put("file", f.get(p + "file"));
            s.put("state", f.getOrDefault(p + "state", "waiting"));
            s.put("sizeBytes", longOf(f, p + "size"));
            s.put("bytesRead", longOf(f, p + "bytesRead"));
            s.put("codes", longOf(f, p + "codes"));
            sources.add(s);
        }
        out.put("sources", sources);
        Long partitions = longOf(f, "partitions");
        Map<String, Object> parts = new LinkedHashMap<>();
        Map<String, Object> byPartition =
                new TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        f.forEach((k, v) -> {
            if (k.startsWith("part.")) {
                String[] vd = v.split(" ");
                byPartition.put(
                        k.substring(5),
                        Map.of("validCodes", Long.parseLong(vd[0]), "distinctCodes", Long.parseLong(vd[1])));
            }
        });
        parts.put("total", partitions);
        parts.put("done", byPartition.size());
        if (withParts) {
            parts.put("byPartition", byPartition);
        }
        out.put("partitions", parts);
        for (String[] n : new String[][] {
            {"valid", "validCodes"},
            {"distinct", "distinctCodes"},
            {"added", "added"},
            {"removed", "removed"},
            {"liveBefore", "replacedCodes"}
        }) {
            Long v = longOf(f, n[0]);
            if (v != null) {
                out.put(n[1], v < 0 ? null : v);
            }
        }
        Map<String, Object> phases = new LinkedHashMap<>();
        if (started != null && sent != null) {
            phases.put("produceSeconds", (sent - started) / 1000.0);
        }
        if (sent != null && ended != null && !"failed".equals(f.get("state"))) {
            phases.put("aggregateSeconds", (ended - sent) / 1000.0);
        }
        Long partsMs = longOf(f, "phase.parts.ms");
        if (partsMs != null) {
            phases.put("partsWorkerSeconds", partsMs / 1000.0);
        }
        Long swapMs = longOf(f, "phase.swap.ms");
        if (swapMs != null) {
            phases.put("swapSeconds", swapMs / 1000.0);
        }
        out.put("phases", phases);
        return out;
    }

    private static Long longOf(Map<String, String> f, String key) {
        String v = f.get(key);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private Instant startOf(String runId) {
        Instant start = RunIds.startOf(runId);
        return start == null ? clock.instant() : start;
    }

    private void add(String runId, Instant at, String... fields) {
        if (redis == null) {
            return;
        }
        List<String> args = new ArrayList<>();
        args.add(Long.toString(at.toEpochMilli()));
        args.add(runId);
        args.add(Integer.toString(limit));
        args.add(keys.run(""));
        args.addAll(List.of(fields));
        try {
            redis.execute(add, List.of(keys.runs(), keys.run(runId)), args.toArray());
        } catch (RuntimeException e) {
            LOG.warn("Could not add run {} to the run history: {}", runId, e.toString());
        }
    }

    private void set(String runId, String... fields) {
        if (runId == null || redis == null) {
            return;
        }
        try {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < fields.length; i += 2) {
                m.put(fields[i], fields[i + 1]);
            }
            redis.opsForHash().putAll(keys.run(runId), m);
        } catch (RuntimeException e) {
            LOG.debug("Could not update run {} in the run history: {}", runId, e.toString());
        }
    }
}
