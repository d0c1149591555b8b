package dev.couponpipeline.redis;

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
 * that swaps it in atomically. The old set is renamed aside and UNLINKed (freed in the background), so a swap
 * over millions of members never blocks Redis; a failed publish removes its staging key.
 */
public final class ValidSetPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(ValidSetPublisher.class);

    /** Refuses to replace a newer run; otherwise live → trash, staging → live, free trash, rewrite metadata. */
    private static final String SWAP = String.join("\n",
            "local current = redis.call('HGET', KEYS[3], 'runId')",
            "if current and current > ARGV[1] then",
            "  redis.call('UNLINK', KEYS[2])",
            "  return 0",
            "end",
            "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('RENAME', KEYS[1], KEYS[4]) end",
            "if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[1]) end",
            "redis.call('UNLINK', KEYS[4])",
            "redis.call('DEL', KEYS[3])",
            "redis.call('HSET', KEYS[3], unpack(ARGV, 2))",
            "return 1");

    private final StringRedisTemplate redis;
    private final LiveSetKeys keys;
    private final int saddBatch;
    private final int pipelineCommands;
    private final Clock clock;
    private final DefaultRedisScript<Long> swap = new DefaultRedisScript<>(SWAP, Long.class);

    public ValidSetPublisher(StringRedisTemplate redis, LiveSetKeys keys, int saddBatch, int pipelineCommands,
            Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.saddBatch = saddBatch;
        this.pipelineCommands = pipelineCommands;
        this.clock = clock;
    }

    /** Redis already holds a run newer than the one being published: nothing changes, and that is final. */
    public static final class NewerRunLiveException extends RuntimeException {
        public NewerRunLiveException(String message) {
            super(message);
        }
    }

    /**
     * Writes and swaps in the run's valid set; returns the number of valid codes published. Publishing the run
     * that is already live again (a replay after a crash between swap and offset commit) swaps in an identical
     * set. Throws {@link NewerRunLiveException} when a newer run is live.
     */
    public long publish(RunState run) {
        String staging = keys.staging(run.runId());
        byte[] stagingKey = staging.getBytes(StandardCharsets.UTF_8);
        redis.unlink(staging);
        try {
            long valid = fillStaging(run, stagingKey);
            Map<String, String> meta = metadata(run, valid);
            List<String> args = new ArrayList<>();
            args.add(run.runId());
            meta.forEach((k, v) -> {
                args.add(k);
                args.add(v);
            });
            Long swapped = redis.execute(swap,
                    List.of(keys.live(), staging, keys.meta(), keys.trash(run.runId())), args.toArray());
            if (swapped == null || swapped == 0L) {
                throw new NewerRunLiveException("run " + run.runId() + " not published: Redis already holds the "
                        + "newer run " + redis.opsForHash().get(keys.meta(), "runId"));
            }
            removeStagingKeysOlderThan(run.runId());
            return valid;
        } catch (RuntimeException e) {
            cleanUp(staging);
            throw e;
        }
    }

    private long fillStaging(RunState run, byte[] stagingKey) {
        List<byte[]> batch = new ArrayList<>(saddBatch);
        List<byte[][]> commands = new ArrayList<>(pipelineCommands);
        long[] count = new long[1];
        boolean[] first = {true};
        run.forEachValid((code, len, mask) -> {
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
        send(stagingKey, commands, first[0]);
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

    private Map<String, String> metadata(RunState run, long valid) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("runId", run.runId());
        meta.put("codes", Long.toString(valid));
        meta.put("distinctCodes", Long.toString(run.distinctCodes()));
        meta.put("sources", String.join(",", run.sources()));
        run.codesPerSource().forEach((s, n) -> meta.put("source." + s + ".codes", Long.toString(n)));
        meta.put("publishedAt", clock.instant().toString());
        return meta;
    }

    /** Removes a run's staging key (best effort: the key also expires by itself). */
    public void cleanUp(String staging) {
        try {
            redis.unlink(staging);
        } catch (RuntimeException e) {
            LOG.warn("Could not remove staging key {} (it expires within a day): {}", staging, e.toString());
        }
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
        String prefix = keys.staging("");
        List<String> stale = new ArrayList<>();
        try {
            redis.execute((RedisConnection connection) -> {
                ScanOptions options = ScanOptions.scanOptions().match(keys.stagingPattern()).count(1000).build();
                try (Cursor<byte[]> cursor = connection.keyCommands().scan(options)) {
                    cursor.forEachRemaining(k -> {
                        String key = new String(k, StandardCharsets.UTF_8);
                        if (key.substring(prefix.length()).compareTo(runId) < 0) {
                            stale.add(key);
                        }
                    });
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
