package dev.couponpipeline.redis;

import dev.couponpipeline.run.RunResult;
import dev.couponpipeline.run.RunState;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * Publishes a complete run's valid codes: pipelined multi-member SADDs into a staging key, then one Lua script
 * that marks this instance's parts done and, with every part in, swaps the run in atomically. The old set is
 * renamed aside and UNLINKed (freed in the background), so a swap over millions of members never blocks Redis.
 */
public final class ValidSetPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(ValidSetPublisher.class);

    /**
     * Marks this instance's parts of a run done and, when every part of the run is in, swaps it live: refuses a
     * run older than the live one; otherwise records each part's counts in {@code <key>:parts:<run>}, and once
     * that hash holds every partition: live → trash, staging → live, free trash, metadata from the summed counts.
     * One script, so Redis never holds half a swap, and exactly one instance swaps.
     * ARGV: runId, partitions, n, n × (partition, "valid distinct codes per source…"), sources, source names…,
     * then the other metadata fields and values.
     */
    private static final String PUBLISH_PARTS = String.join("\n",
            "local current = redis.call('HGET', KEYS[3], 'runId')",
            "if current and current > ARGV[1] then return {0} end",
            "local n = tonumber(ARGV[3])",
            "for i = 1, n do redis.call('HSET', KEYS[5], ARGV[2 + 2 * i], ARGV[3 + 2 * i]) end",
            "redis.call('EXPIRE', KEYS[5], 86400)",
            "if redis.call('HLEN', KEYS[5]) < tonumber(ARGV[2]) then return {2} end",
            "local sums = {}",
            "for _, v in ipairs(redis.call('HVALS', KEYS[5])) do",
            "  local i = 0",
            "  for num in string.gmatch(v, '%d+') do i = i + 1; sums[i] = (sums[i] or 0) + tonumber(num) end",
            "end",
            "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('RENAME', KEYS[1], KEYS[4]) end",
            "if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[1]) end",
            "redis.call('UNLINK', KEYS[4])",
            "redis.call('DEL', KEYS[5])",
            "redis.call('DEL', KEYS[3])",
            "redis.call('HSET', KEYS[3], 'runId', ARGV[1], 'codes', string.format('%d', sums[1] or 0),",
            "  'distinctCodes', string.format('%d', sums[2] or 0))",
            "local base = 4 + 2 * n",
            "local s = tonumber(ARGV[base])",
            "for j = 1, s do",
            "  redis.call('HSET', KEYS[3], 'source.' .. ARGV[base + j] .. '.codes', string.format('%d', sums[2 + j] or 0))",
            "end",
            "redis.call('HSET', KEYS[3], unpack(ARGV, base + s + 1))",
            "local out = {1}",
            "for i = 1, 2 + s do out[i + 1] = sums[i] or 0 end",
            "return out");

    /** What a publish did. */
    public enum Status {
        /** This instance's parts completed the run and it is live now. */
        SWAPPED,
        /** This instance's parts are staged and marked done; another instance's parts are still to come. */
        WAITING,
        /** Redis already holds a newer run: nothing changed, and that is final. */
        NEWER_LIVE
    }

    /**
     * The outcome, with the run's valid and distinct codes and codes per source (the whole run's when swapped,
     * else these parts').
     */
    public record Outcome(Status status, long validCodes, long distinctCodes, Map<String, Long> codesPerSource) {
    }

    private final StringRedisTemplate redis;
    private final LiveSetKeys keys;
    private final int saddBatch;
    private final int pipelineCommands;
    private final Clock clock;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> publishParts = new DefaultRedisScript<>(PUBLISH_PARTS, List.class);

    public ValidSetPublisher(StringRedisTemplate redis, LiveSetKeys keys, int saddBatch, int pipelineCommands,
            Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.saddBatch = saddBatch;
        this.pipelineCommands = pipelineCommands;
        this.clock = clock;
    }

    /**
     * Stages the valid codes of the run's parts counted here into {@code <key>:staging:<run>} and marks them done;
     * the instance whose parts complete the run swaps it live. SADD is idempotent and every instance writes only
     * codes of the same run, so a part written twice (a replay after a crash or a rebalance) changes nothing;
     * that is why the shared staging key is never deleted here.
     */
    public Outcome publish(RunState run) {
        String runId = run.runId();
        List<Integer> parts = run.countedParts();
        byte[] stagingKey = keys.staging(runId).getBytes(StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>();
        args.add(runId);
        args.add(Integer.toString(run.partitions()));
        args.add(Integer.toString(parts.size()));
        long valid = 0;
        long distinct = 0;
        boolean[] first = {true};
        for (int part : parts) {
            long partValid = fillStaging(run, part, stagingKey, first);
            long partDistinct = run.distinctCodes(part);
            valid += partValid;
            distinct += partDistinct;
            StringBuilder stats = new StringBuilder().append(partValid).append(' ').append(partDistinct);
            for (long n : run.codesPerSource(part)) {
                stats.append(' ').append(n);
            }
            args.add(Integer.toString(part));
            args.add(stats.toString());
        }
        args.add(Integer.toString(run.sources().size()));
        args.addAll(run.sources());
        args.add("sources");
        args.add(String.join(",", run.sources()));
        args.add("publishedAt");
        args.add(clock.instant().toString());
        List<?> r = redis.execute(publishParts, List.of(keys.live(), keys.staging(runId), keys.meta(),
                keys.trash(runId), keys.parts(runId)), args.toArray());
        long status = r == null || r.isEmpty() ? 0 : ((Number) r.get(0)).longValue();
        if (status == 0) {
            return new Outcome(Status.NEWER_LIVE, 0, 0, Map.of());
        }
        if (status == 2) {
            return new Outcome(Status.WAITING, valid, distinct, run.codesPerSource());
        }
        removeStagingKeysOlderThan(runId);
        Map<String, Long> perSource = new LinkedHashMap<>();
        for (int s = 0; s < run.sources().size(); s++) {
            perSource.put(run.sources().get(s), ((Number) r.get(3 + s)).longValue());
        }
        return new Outcome(Status.SWAPPED, ((Number) r.get(1)).longValue(), ((Number) r.get(2)).longValue(),
                perSource);
    }

    /** The live run id, or null when nothing is published (or Redis cannot be read). */
    public String liveRunId() {
        try {
            Object v = redis.opsForHash().get(keys.meta(), "runId");
            return v == null ? null : v.toString();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The live run's result as its metadata records it (another instance swapped it). */
    public RunResult liveResult(String runId, java.time.Duration duration) {
        Map<Object, Object> meta = redis.opsForHash().entries(keys.meta());
        Map<String, Long> perSource = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith("source.") && key.endsWith(".codes")) {
                perSource.put(key.substring(7, key.length() - 6), Long.parseLong(v.toString()));
            }
        });
        return new RunResult(runId, true, null, perSource, Long.parseLong(meta.getOrDefault("codes", "0").toString()),
                Long.parseLong(meta.getOrDefault("distinctCodes", "0").toString()), 0, duration);
    }

    private long fillStaging(RunState run, int part, byte[] stagingKey, boolean[] first) {
        List<byte[]> batch = new ArrayList<>(saddBatch);
        List<byte[][]> commands = new ArrayList<>(pipelineCommands);
        long[] count = new long[1];
        run.forEachValid(part, (code, len, mask) -> {
            batch.add(Arrays.copyOf(code, len));
            count[0]++;
            if (batch.size() == saddBatch) {
                commands.add(batch.toArray(new byte[0][]));
                batch.clear();
                if (commands.size() == pipelineCommands) {
                    send(stagingKey, commands, first[0]);
                    first[0] = false;
                }
            }
        });
        if (!batch.isEmpty()) {
            commands.add(batch.toArray(new byte[0][]));
        }
        if (!commands.isEmpty()) {
            send(stagingKey, commands, first[0]);
            first[0] = false;
        }
        return count[0];
    }

    private void send(byte[] stagingKey, List<byte[][]> commands, boolean first) {
        if (commands.isEmpty()) {
            return;
        }
        List<byte[][]> toSend = List.copyOf(commands);
        commands.clear();
        redis.executePipelined((RedisCallback<Object>) connection -> {
            for (byte[][] members : toSend) {
                connection.setCommands().sAdd(stagingKey, members);
            }
            if (first) {
                // a crash between here and the swap leaves no key behind for longer than a day
                connection.keyCommands().expire(stagingKey, 86_400);
            }
            return null;
        });
    }

    /**
     * Removes staging keys that no publish can still use: those of runs older than the live one (the swap refuses
     * them). A staging key of the live run or a newer one may belong to a publish in flight (another instance, or
     * a replay) and is left to it; the one-day expiry is the last resort. Returns how many were removed.
     */
    public int removeStaleStagingKeys() {
        Object live = redis.opsForHash().get(keys.meta(), "runId");
        return live == null ? 0 : removeStagingKeysOlderThan(live.toString());
    }

    private int removeStagingKeysOlderThan(String runId) {
        List<String> stale = new ArrayList<>();
        try {
            redis.execute((RedisConnection connection) -> {
                for (String prefix : List.of(keys.staging(""), keys.parts(""))) {
                    ScanOptions options = ScanOptions.scanOptions().match(prefix + "*").count(1000).build();
                    try (Cursor<byte[]> cursor = connection.keyCommands().scan(options)) {
                        cursor.forEachRemaining(k -> {
                            String key = new String(k, StandardCharsets.UTF_8);
                            if (key.substring(prefix.length()).compareTo(runId) < 0) {
                                stale.add(key);
                            }
                        });
                    }
                }
                return null;
            });
            stale.forEach(redis::unlink);
        } catch (RuntimeException e) {
            LOG.warn("Could not remove stale staging keys (they expire within a day): {}", e.toString());
            return 0;
        }
        if (!stale.isEmpty()) {
            LOG.info("Removed {} stale staging key(s) of runs older than {}: {}", stale.size(), runId, stale);
        }
        return stale.size();
    }
}
