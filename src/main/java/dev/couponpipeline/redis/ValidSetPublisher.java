package dev.couponpipeline.redis;

import dev.couponpipeline.run.RunResult;
import dev.couponpipeline.table.CodeVisitor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * Publishes a run part by part: each part's valid codes go into the run's staging key with pipelined
 * multi-member SADDs, then one Lua script marks the part done and, with every part in, swaps the run in
 * atomically, whichever instance staged the last part. The old set is
 * renamed aside and UNLINKed (freed in the background), so a swap over millions of members never blocks Redis.
 */
public final class ValidSetPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(ValidSetPublisher.class);

    /**
     * Marks parts of a run done and, when every part of the run is in, swaps it live: refuses a run that is live
     * already or older than the live one; otherwise records each part's counts in {@code <key>:parts:<run>}, and once
     * that hash holds every partition: live → trash, staging → live, free trash, metadata from the summed counts.
     * One script, so Redis never holds half a swap, and exactly one instance swaps.
     * ARGV: runId, partitions, n, n × (partition, "valid distinct codes per source…"), sources, source names…,
     * then the other metadata fields and values.
     */
    private static final String PUBLISH_PARTS = String.join("\n",
            "local current = redis.call('HGET', KEYS[3], 'runId')",
            "if current and current >= ARGV[1] then return {0} end",
            "local n = tonumber(ARGV[3])",
            "for i = 1, n do redis.call('HSET', KEYS[5], ARGV[2 + 2 * i], ARGV[3 + 2 * i]) end",
            "redis.call('EXPIRE', KEYS[5], 86400)",
            "if redis.call('HLEN', KEYS[5]) < tonumber(ARGV[2]) then return {2} end",
            "local sums = {}",
            "for _, v in ipairs(redis.call('HVALS', KEYS[5])) do",
            "  local i = 0",
            "  for num in string.gmatch(v, '%d+') do i = i + 1; sums[i] = (sums[i] or 0) + tonumber(num) end",
            "end",
            // the parts are disjoint, so the staged set holds exactly their valid codes, unless Redis lost writes
            // (a failover to a replica that had not caught up): then the run is not swapped and starts over
            "local staged = redis.call('SCARD', KEYS[2])",
            "if staged ~= (sums[1] or 0) then",
            "  redis.call('DEL', KEYS[5]); redis.call('UNLINK', KEYS[2])",
            "  return {3, staged, sums[1] or 0}",
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
        /** This part completed the run and it is live now. */
        SWAPPED,
        /** This part is staged and marked done; other parts are still to come. */
        WAITING,
        /** Redis already holds this run or a newer one: nothing changed, and that is final. */
        LIVE_OR_NEWER
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
     * A writer of one part's valid codes into the run's staging key {@code <key>:staging:<run>}: pipelined
     * multi-member SADDs. SADD is idempotent and every part of a run writes to the same key, so a part written
     * twice (replayed after a crash or a rebalance) changes nothing; that is why the shared staging key is never
     * deleted here. {@link #close} sends what is left.
     */
    public Staging staging(String runId) {
        return new Staging(keys.staging(runId).getBytes(StandardCharsets.UTF_8));
    }

    /** See {@link #staging}. */
    public final class Staging implements CodeVisitor, AutoCloseable {
        private final byte[] key;
        private final List<byte[]> batch = new ArrayList<>(saddBatch);
        private final List<byte[][]> commands = new ArrayList<>(pipelineCommands);
        private boolean first = true;

        private Staging(byte[] key) {
            this.key = key;
        }

        @Override
        public void visit(byte[] code, int len, long sourceMask) {
            batch.add(Arrays.copyOf(code, len));
            if (batch.size() == saddBatch) {
                commands.add(batch.toArray(new byte[0][]));
                batch.clear();
                if (commands.size() == pipelineCommands) {
                    send();
                }
            }
        }

        @Override
        public void close() {
            if (!batch.isEmpty()) {
                commands.add(batch.toArray(new byte[0][]));
                batch.clear();
            }
            send();
        }

        private void send() {
            if (commands.isEmpty()) {
                return;
            }
            List<byte[][]> toSend = List.copyOf(commands);
            commands.clear();
            boolean expire = first;
            first = false;
            redis.executePipelined((RedisCallback<Object>) connection -> {
                for (byte[][] members : toSend) {
                    connection.setCommands().sAdd(key, members);
                }
                if (expire) {
                    // a crash between here and the swap leaves no key behind for longer than a day
                    connection.keyCommands().expire(key, 86_400);
                }
                return null;
            });
        }
    }

    /**
     * Marks one part of a run done, with its counts, once its valid codes are staged; the part that completes the
     * run swaps it live (see {@link #PUBLISH_PARTS}). {@code codesPerSource} is in the order of {@code sources}.
     */
    public Outcome publishPart(String runId, int partition, int partitions, long valid, long distinct,
            long[] codesPerSource, List<String> sources) {
        List<String> args = new ArrayList<>();
        args.add(runId);
        args.add(Integer.toString(partitions));
        args.add("1");
        StringBuilder stats = new StringBuilder().append(valid).append(' ').append(distinct);
        for (long n : codesPerSource) {
            stats.append(' ').append(n);
        }
        args.add(Integer.toString(partition));
        args.add(stats.toString());
        args.add(Integer.toString(sources.size()));
        args.addAll(sources);
        args.add("sources");
        args.add(String.join(",", sources));
        args.add("publishedAt");
        args.add(clock.instant().toString());
        List<?> r = redis.execute(publishParts, List.of(keys.live(), keys.staging(runId), keys.meta(),
                keys.trash(runId), keys.parts(runId)), args.toArray());
        long status = r == null || r.isEmpty() ? 0 : ((Number) r.get(0)).longValue();
        if (status == 0) {
            return new Outcome(Status.LIVE_OR_NEWER, 0, 0, Map.of());
        }
        if (status == 2) {
            return new Outcome(Status.WAITING, valid, distinct, Map.of());
        }
        if (status == 3) {
            throw new StagingLostException("the staged set of run " + runId + " holds " + r.get(1)
                    + " codes but its parts counted " + r.get(2) + " valid ones: Redis lost writes (a failover to a"
                    + " replica that had not caught up?); the run is not swapped and its staging is discarded");
        }
        removeStagingKeysOlderThan(runId);
        Map<String, Long> perSource = new LinkedHashMap<>();
        for (int s = 0; s < sources.size(); s++) {
            perSource.put(sources.get(s), ((Number) r.get(3 + s)).longValue());
        }
        return new Outcome(Status.SWAPPED, ((Number) r.get(1)).longValue(), ((Number) r.get(2)).longValue(),
                perSource);
    }

    /** The staged set of a run does not hold what its parts staged: the run can only start over. */
    public static final class StagingLostException extends RuntimeException {
        StagingLostException(String message) {
            super(message);
        }
    }

    /** A write, a script and a delete on a key of ours, the commands a run needs: ACLs and credentials. */
    private static final String PREFLIGHT = "redis.call('SET', KEYS[1], ARGV[1], 'EX', 60)"
            + " redis.call('UNLINK', KEYS[1]) return 1";
    private final DefaultRedisScript<Long> preflight = new DefaultRedisScript<>(PREFLIGHT, Long.class);

    /**
     * Checks, before a run reads a byte, that Redis takes what the run will send: connects, authenticates and
     * runs a script that writes and deletes a key under the live set's prefix. A connection failure is retried
     * until {@code patience} has passed (a failover takes seconds); an answer from Redis (NOAUTH, WRONGPASS,
     * NOPERM, READONLY) fails at once.
     *
     * @throws IllegalStateException naming Redis and its answer
     */
    public void preflight(String runId, String where, java.time.Duration patience) {
        java.time.Instant deadline = clock.instant().plus(patience);
        while (true) {
            try {
                redis.execute(preflight, List.of(keys.live() + ":preflight"), runId);
                return;
            } catch (RuntimeException e) {
                boolean answered = redisAnswered(e);
                if (answered || !clock.instant().isBefore(deadline)) {
                    throw new IllegalStateException(where + (answered ? " refused the run: " : " cannot be reached: ")
                            + dev.couponpipeline.infra.Errors.rootMessage(e), e);
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(where + " preflight interrupted", ie);
                }
            }
        }
    }

    /** Answers a Redis gives while it starts, fails over or is busy: worth waiting for, unlike a refusal. */
    private static final List<String> TRANSIENT = List.of("LOADING", "READONLY", "MASTERDOWN", "BUSY", "TRYAGAIN",
            "CLUSTERDOWN");

    /**
     * True when Redis itself refused (NOAUTH, WRONGPASS, NOPERM, ...), as opposed to not answering at all or
     * answering that it is not ready yet ({@code LOADING}, {@code READONLY} from a former master, ...).
     */
    public static boolean redisAnswered(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof redis.clients.jedis.exceptions.JedisDataException
                    || t instanceof org.springframework.data.redis.RedisSystemException && t.getCause() == null) {
                String m = t.getMessage() == null ? "" : t.getMessage();
                return TRANSIENT.stream().noneMatch(m::startsWith);
            }
        }
        return false;
    }

    /** True when {@code partition} of {@code runId} is already staged and marked done (by any instance). */
    public boolean isPartDone(String runId, int partition) {
        return Boolean.TRUE.equals(redis.opsForHash().hasKey(keys.parts(runId), Integer.toString(partition)));
    }

    /** Records that {@code runId} can never complete, for every instance to see (kept a day). */
    public void recordFailure(String runId, String reason) {
        redis.opsForValue().setIfAbsent(keys.failure(runId), reason, java.time.Duration.ofDays(1));
    }

    /** Why {@code runId} failed, as an instance recorded it, or null. */
    public String failureOf(String runId) {
        return redis.opsForValue().get(keys.failure(runId));
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
            // the template's own cursor holds a connection of its own and gives it back once, on close; a cursor
            // closed inside execute(callback) gave the pooled connection back twice, so two threads then shared
            // one socket (replies crossed, "Socket closed" in the API under load)
            for (String prefix : List.of(keys.staging(""), keys.parts(""), keys.failure(""))) {
                ScanOptions options = ScanOptions.scanOptions().match(prefix + "*").count(1000).build();
                try (Cursor<String> cursor = redis.scan(options)) {
                    cursor.forEachRemaining(key -> {
                        if (key.substring(prefix.length()).compareTo(runId) < 0) {
                            stale.add(key);
                        }
                    });
                }
            }
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
