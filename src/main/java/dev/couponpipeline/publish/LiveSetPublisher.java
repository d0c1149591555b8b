package dev.couponpipeline.publish;

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
public final class LiveSetPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(LiveSetPublisher.class);

    /**
     * Marks parts of a run done and, when every part of the run is in, swaps it live, or holds it: refuses a run
     * that is live already or older than the live one; otherwise records each part's counts in
     * {@code <key>:parts:<run>}, and once that hash holds every partition, checks the staged set against the
     * parts' counts and the guard before the swap, then: live → trash, staging → live, free trash, metadata from
     * the summed counts, the run's history entry. One script, so Redis never holds half a swap, and exactly one
     * instance swaps. Keys of other runs (an older held run) are derived from KEYS[1]: Redis without cluster mode.
     *
     * <p>KEYS: live, staging, meta, trash, parts, held, history entry. ARGV: runId, partitions, max removed percent,
     * release (1: swap the held run, no guard), now (ISO), now (epoch ms), n, n × (partition, "base valid distinct
     * kept codes-per-source…", part millis), sources, source names…, then the other metadata fields and values.
     * "base" is the live run the part's codes were compared with ("-": none), "kept" how many of them it holds.
     */
    private static final String PUBLISH_PARTS = String.join(
            "\n",
            "local run = ARGV[1]",
            "local current = redis.call('HGET', KEYS[3], 'runId')",
            // live already or older: a late build of one of its parts (a duplicate control record read again after a
            // rebalance) may have staged codes again; nobody can use them any more
            "if current and current >= run then redis.call('UNLINK', KEYS[2]) return {0} end",
            "local hist = KEYS[7]",
            "local tracked = redis.call('EXISTS', hist) == 1",
            "local held = redis.call('HGET', KEYS[6], 'runId')",
            // a newer run is held: this one can only be a replay (runs never overlap), and is not staged again
            "if held and held > run then return {0} end",
            "local n = tonumber(ARGV[7])",
            "for i = 1, n do",
            "  local p, stats, ms = ARGV[5 + 3 * i], ARGV[6 + 3 * i], ARGV[7 + 3 * i]",
            "  redis.call('HSET', KEYS[5], p, stats)",
            "  if tracked then",
            "    local v, d = string.match(stats, '^%S+ (%d+) (%d+)')",
            "    redis.call('HSET', hist, 'part.' .. p, v .. ' ' .. d, 'partitions', ARGV[2])",
            "    redis.call('HINCRBY', hist, 'phase.parts.ms', ms)",
            "  end",
            "end",
            "if n > 0 and held ~= run then redis.call('EXPIRE', KEYS[5], 86400) end",
            "if redis.call('HLEN', KEYS[5]) < tonumber(ARGV[2]) then return {2} end",
            "local sums = {}",
            "local sameBase = true",
            "for _, v in ipairs(redis.call('HVALS', KEYS[5])) do",
            "  local base, nums = string.match(v, '^(%S+) (.*)$')",
            "  if base ~= (current or '-') then sameBase = false end",
            "  local i = 0",
            "  for num in string.gmatch(nums, '%d+') do i = i + 1; sums[i] = (sums[i] or 0) + tonumber(num) end",
            "end",
            "local valid, distinct, kept = sums[1] or 0, sums[2] or 0, sums[3] or 0",
            // the parts are disjoint, so the staged set holds exactly their valid codes, unless Redis lost writes
            // (a failover to a replica that had not caught up): then the run is not swapped and starts over
            "local staged = redis.call('SCARD', KEYS[2])",
            "if staged ~= valid then",
            "  redis.call('DEL', KEYS[5]); redis.call('UNLINK', KEYS[2])",
            "  return {3, staged, valid}",
            "end",
            "local before = redis.call('SCARD', KEYS[1])",
            "local added, removed = valid - kept, before - kept",
            "if not sameBase then added = -1; removed = -1 end",
            "local perSource = {}",
            "for i = 4, #sums do perSource[#perSource + 1] = sums[i] end",
            "if ARGV[4] == '1' then",
            "  if held ~= run then return {5} end",
            "else",
            "  local maxPct = tonumber(ARGV[3])",
            "  local why = nil",
            "  if maxPct < 100 then",
            "    if valid == 0 then why = 'its valid set is empty'",
            "    elseif not sameBase and before > 0 then",
            "      why = 'the live set changed while it was staged, so what it would remove is unknown'",
            "    elseif before > 0 and removed * 100 > maxPct * before then",
            "      why = string.format('it would remove %d of the live set\\'s %d codes (%.1f %%, more than '",
            "        .. 'coupon.publish.max-removed-percent = %d)', removed, before, removed * 100 / before, maxPct)",
            "    end",
            "  end",
            "  if why then",
            "    if held and held ~= run then",
            "      redis.call('UNLINK', KEYS[1] .. ':staging:' .. held, KEYS[1] .. ':parts:' .. held)",
            "      local old = KEYS[1] .. ':run:' .. held",
            "      if redis.call('EXISTS', old) == 1 then",
            "        redis.call('HSET', old, 'state', 'discarded', 'reason', 'replaced by the newer held run ' .. run,",
            "          'endedAt', ARGV[5])",
            "      end",
            "    end",
            "    redis.call('PERSIST', KEYS[2]); redis.call('PERSIST', KEYS[5])",
            "    redis.call('DEL', KEYS[6])",
            "    local b, names = 8 + 3 * n, {}",
            "    for j = 1, tonumber(ARGV[b]) do names[j] = ARGV[b + j] end",
            "    redis.call('HSET', KEYS[6], 'runId', run, 'reason', why, 'sources', table.concat(names, ','),",
            "      'valid', valid, 'distinct', distinct, 'added', added, 'removed', removed)",
            "    if tracked then",
            "      redis.call('HSET', hist, 'state', 'held', 'reason', why, 'endedAt', ARGV[5], 'endedAtMs', ARGV[6],",
            "        'valid', valid, 'distinct', distinct, 'added', added, 'removed', removed, 'liveBefore', before)",
            "    end",
            "    local out = {4, valid, distinct, added, removed, before, why}",
            "    for _, c in ipairs(perSource) do out[#out + 1] = c end",
            "    return out",
            "  end",
            "end",
            "if held then",
            "  if held ~= run then",
            "    local old = KEYS[1] .. ':run:' .. held",
            "    if redis.call('EXISTS', old) == 1 then",
            "      redis.call('HSET', old, 'state', 'discarded', 'reason', 'replaced by the run ' .. run, 'endedAt', ARGV[5])",
            "    end",
            "  end",
            "  redis.call('DEL', KEYS[6])",
            "end",
            "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('RENAME', KEYS[1], KEYS[4]) end",
            // RENAME carries the staging key's one-day expiry over: the live set must never expire
            "if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[1]); redis.call('PERSIST', KEYS[1]) end",
            "redis.call('UNLINK', KEYS[4])",
            "redis.call('DEL', KEYS[5])",
            "redis.call('DEL', KEYS[3])",
            "redis.call('HSET', KEYS[3], 'runId', run, 'codes', string.format('%d', valid),",
            "  'distinctCodes', string.format('%d', distinct), 'added', added, 'removed', removed)",
            "local base = 8 + 3 * n",
            "local s = tonumber(ARGV[base])",
            "for j = 1, s do",
            "  redis.call('HSET', KEYS[3], 'source.' .. ARGV[base + j] .. '.codes', string.format('%d', perSource[j] or 0))",
            "end",
            "redis.call('HSET', KEYS[3], unpack(ARGV, base + s + 1))",
            // the files' fingerprints, as the producer recorded them: the next run can tell they did not change
            "if tracked then",
            "  for j = 1, s do",
            "    local f = redis.call('HGET', hist, 'source.' .. ARGV[base + j] .. '.fingerprint')",
            "    if f then redis.call('HSET', KEYS[3], 'source.' .. ARGV[base + j] .. '.fingerprint', f) end",
            "  end",
            "end",
            "if tracked then",
            "  redis.call('HSET', hist, 'state', 'published', 'endedAt', ARGV[5], 'endedAtMs', ARGV[6], 'valid', valid,",
            "    'distinct', distinct, 'added', added, 'removed', removed, 'liveBefore', before)",
            "  redis.call('HDEL', hist, 'reason')",
            "end",
            "local out = {1, valid, distinct, added, removed, before}",
            "for _, c in ipairs(perSource) do out[#out + 1] = c end",
            "return out");

    /** The SHA-1 of the swap script, as {@code EVALSHA} sends it (the fault suite freezes Redis on it). */
    public static String publishScriptSha() {
        return new DefaultRedisScript<>(PUBLISH_PARTS, List.class).getSha1();
    }

    /** What a publish did. */
    public enum Status {
        /** This part completed the run and it is live now. */
        SWAPPED,
        /** This part is staged and marked done; other parts are still to come. */
        WAITING,
        /** Redis already holds this run or a newer one: nothing changed, and that is final. */
        LIVE_OR_NEWER,
        /** This part completed the run, but the guard before the swap held it: staged, not live. */
        HELD,
        /** (Release of a held run) the run is not the one held: nothing changed. */
        NOT_HELD
    }

    /**
     * The outcome, with the run's valid and distinct codes and codes per source (the whole run's when swapped or
     * held, else these parts'), codes added and removed against the set replaced (-1: unknown), the size of that
     * set, and why the run was held.
     */
    public record Outcome(
            Status status,
            long validCodes,
            long distinctCodes,
            Map<String, Long> codesPerSource,
            long added,
            long removed,
            long liveBefore,
            String heldReason) {

        Outcome(Status status, long validCodes, long distinctCodes) {
            this(status, validCodes, distinctCodes, Map.of(), -1, -1, -1, null);
        }
    }

    private final StringRedisTemplate redis;
    private final LiveSetKeys keys;
    private final int saddBatch;
    private final int pipelineCommands;
    private final Clock clock;
    private final int maxRemovedPercent;

    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> publishParts = new DefaultRedisScript<>(PUBLISH_PARTS, List.class);

    public LiveSetPublisher(
            StringRedisTemplate redis, LiveSetKeys keys, int saddBatch, int pipelineCommands, Clock clock) {
        this(redis, keys, saddBatch, pipelineCommands, clock, 100);
    }

    /**
     * {@code maxRemovedPercent}: the guard before the swap holds a run whose valid set is empty or that would
     * remove more than this share of the live set's codes; 100 turns the guard off.
     */
    public LiveSetPublisher(
            StringRedisTemplate redis,
            LiveSetKeys keys,
            int saddBatch,
            int pipelineCommands,
            Clock clock,
            int maxRemovedPercent) {
        this.maxRemovedPercent = maxRemovedPercent;
        this.redis = redis;
        this.keys = keys;
        this.saddBatch = saddBatch;
        this.pipelineCommands = pipelineCommands;
        this.clock = clock;
    }

    /**
     * A writer of one part's valid codes into the run's staging key {@code <key>:staging:<run>}: pipelined
     * multi-member SADDs, each with an SMISMEMBER of the same codes on the live set, so the swap knows how many
     * codes the run adds and removes without reading the live set anywhere. SADD is idempotent and every part of
     * a run writes to the same key, so a part written twice (replayed after a crash or a rebalance) changes
     * nothing; that is why the shared staging key is never deleted here. {@link #close} sends what is left.
     */
    public Staging staging(String runId) {
        String base = liveRunIdNow();
        boolean compare = base != null && Boolean.TRUE.equals(redis.hasKey(keys.live()));
        return new Staging(
                runId,
                keys.staging(runId).getBytes(StandardCharsets.UTF_8),
                keys.live().getBytes(StandardCharsets.UTF_8),
                base == null ? "-" : base,
                compare);
    }

    /** See {@link #staging}. */
    public final class Staging implements CodeVisitor, AutoCloseable {
        private final String runId;
        private final byte[] key;
        private final byte[] liveKey;
        private final String base;
        private final boolean compare;
        private final List<byte[]> batch = new ArrayList<>(saddBatch);
        private final List<byte[][]> commands = new ArrayList<>(pipelineCommands);
        private boolean first = true;
        private long kept;

        private Staging(String runId, byte[] key, byte[] liveKey, String base, boolean compare) {
            this.runId = runId;
            this.key = key;
            this.liveKey = liveKey;
            this.base = base;
            this.compare = compare;
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

        /** Codes staged so far that the live set (of run {@link #base}) holds too. */
        public long kept() {
            return kept;
        }

        /** The live run the codes were compared with, "-" when none. */
        public String base() {
            return base;
        }

        private void send() {
            if (commands.isEmpty()) {
                return;
            }
            List<byte[][]> toSend = List.copyOf(commands);
            commands.clear();
            boolean expire = first;
            first = false;
            List<Object> replies = redis.executePipelined(
                    (RedisCallback<Object>) connection -> {
                        for (byte[][] members : toSend) {
                            connection.setCommands().sAdd(key, members);
                            if (compare) {
                                connection.setCommands().sMIsMember(liveKey, members);
                            }
                        }
                        if (expire) {
                            // a crash between here and the swap leaves no key behind for longer than a day
                            connection.keyCommands().expire(key, 86_400);
                        }
                        return null;
                    },
                    null);
            if (compare) {
                for (Object reply : replies) {
                    if (reply instanceof List<?> members) {
                        for (Object m : members) {
                            if (Boolean.TRUE.equals(m)) {
                                kept++;
                            }
                        }
                    }
                }
            }
        }
    }

    private String liveRunIdNow() {
        Object v = redis.opsForHash().get(keys.meta(), "runId");
        return v == null ? null : v.toString();
    }

    /**
     * Marks one part of a run done, with its counts, once its valid codes are staged; the part that completes the
     * run swaps it live or, when the guard before the swap says so, holds it (see {@link #PUBLISH_PARTS}).
     * {@code codesPerSource} is in the order of {@code sources}; {@code partMillis} is how long the part took.
     */
    public Outcome publishPart(
            Staging staging,
            int partition,
            int partitions,
            long valid,
            long distinct,
            long[] codesPerSource,
            List<String> sources,
            long partMillis) {
        StringBuilder stats = new StringBuilder(staging.base())
                .append(' ')
                .append(valid)
                .append(' ')
                .append(distinct)
                .append(' ')
                .append(staging.kept());
        for (long n : codesPerSource) {
            stats.append(' ').append(n);
        }
        return runScript(
                staging.runId,
                partitions,
                false,
                List.of(Integer.toString(partition), stats.toString(), Long.toString(partMillis)),
                sources);
    }

    /**
     * Swaps the held run {@code runId} live (an operator looked at why it was held and decided): the same checks
     * as a swap but the guard. {@link Status#NOT_HELD} when it is not the run held (discarded, replaced by a newer
     * run, published already).
     */
    public Outcome release(String runId) {
        Map<Object, Object> held = redis.opsForHash().entries(keys.held());
        if (!runId.equals(held.get("runId"))) {
            return new Outcome(Status.NOT_HELD, 0, 0);
        }
        Object sources = held.get("sources");
        List<String> names = sources == null || sources.toString().isEmpty()
                ? List.of()
                : List.of(sources.toString().split(","));
        return runScript(runId, 0, true, List.of(), names);
    }

    /** Discards the held run {@code runId} and its staged set; false when it is not the run held. */
    public boolean discardHeld(String runId) {
        Long r = redis.execute(
                discardHeld,
                List.of(keys.held(), keys.staging(runId), keys.parts(runId), keys.run(runId), keys.failure(runId)),
                runId,
                clock.instant().toString());
        return r != null && r == 1L;
    }

    /**
     * KEYS: held, staging, parts, history entry, failure. The failure record keeps an aggregator that reads the
     * control topic again (a restart) from building the discarded run anew; it goes with the next swap's sweep.
     */
    private static final String DISCARD_HELD = String.join(
            "\n",
            "if redis.call('HGET', KEYS[1], 'runId') ~= ARGV[1] then return 0 end",
            "redis.call('DEL', KEYS[1]); redis.call('UNLINK', KEYS[2], KEYS[3])",
            "redis.call('SET', KEYS[5], 'discarded by an operator')",
            "if redis.call('EXISTS', KEYS[4]) == 1 then",
            "  redis.call('HSET', KEYS[4], 'state', 'discarded', 'reason', 'discarded by an operator', 'endedAt', ARGV[2])",
            "end",
            "return 1");

    private final DefaultRedisScript<Long> discardHeld = new DefaultRedisScript<>(DISCARD_HELD, Long.class);

    /** The held run's id and why it is held; empty when no run is held. */
    public Map<String, String> heldRun() {
        Map<String, String> out = new LinkedHashMap<>();
        redis.opsForHash().entries(keys.held()).forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    private Outcome runScript(String runId, int partitions, boolean release, List<String> part, List<String> sources) {
        List<String> args = new ArrayList<>();
        args.add(runId);
        args.add(Integer.toString(partitions));
        args.add(Integer.toString(maxRemovedPercent));
        args.add(release ? "1" : "0");
        java.time.Instant now = clock.instant();
        args.add(now.toString());
        args.add(Long.toString(now.toEpochMilli()));
        args.add(Integer.toString(part.size() / 3));
        args.addAll(part);
        args.add(Integer.toString(sources.size()));
        args.addAll(sources);
        args.add("sources");
        args.add(String.join(",", sources));
        args.add("publishedAt");
        args.add(now.toString());
        List<?> r = redis.execute(
                publishParts,
                List.of(
                        keys.live(),
                        keys.staging(runId),
                        keys.meta(),
                        keys.trash(runId),
                        keys.parts(runId),
                        keys.held(),
                        keys.run(runId)),
                args.toArray());
        long status = r == null || r.isEmpty() ? 0 : ((Number) r.get(0)).longValue();
        if (status == 0) {
            return new Outcome(Status.LIVE_OR_NEWER, 0, 0);
        }
        if (status == 2) {
            return new Outcome(Status.WAITING, 0, 0);
        }
        if (status == 5) {
            return new Outcome(Status.NOT_HELD, 0, 0);
        }
        if (status == 3) {
            throw new StagingLostException("the staged set of run " + runId + " holds " + r.get(1)
                    + " codes but its parts counted " + r.get(2) + " valid ones: Redis lost writes (a failover to a"
                    + " replica that had not caught up?); the run is not swapped and its staging is discarded");
        }
        boolean held = status == 4;
        int first = held ? 7 : 6;
        Map<String, Long> perSource = new LinkedHashMap<>();
        for (int s = 0; s < sources.size() && first + s < r.size(); s++) {
            perSource.put(sources.get(s), ((Number) r.get(first + s)).longValue());
        }
        Outcome o = new Outcome(
                held ? Status.HELD : Status.SWAPPED,
                num(r.get(1)),
                num(r.get(2)),
                perSource,
                num(r.get(3)),
                num(r.get(4)),
                num(r.get(5)),
                held ? text(r.get(6)) : null);
        if (!held) {
            removeStagingKeysOlderThan(runId);
        }
        return o;
    }

    private static long num(Object o) {
        return ((Number) o).longValue();
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    /** The staged set of a run does not hold what its parts staged: the run can only start over. */
    public static final class StagingLostException extends RuntimeException {
        StagingLostException(String message) {
            super(message);
        }
    }

    /** A write, a script and a delete on a key of ours, the commands a run needs: ACLs and credentials. */
    private static final String PREFLIGHT =
            "redis.call('SET', KEYS[1], ARGV[1], 'EX', 60)" + " redis.call('UNLINK', KEYS[1]) return 1";

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
                    throw new IllegalStateException(
                            where
                                    + (answered ? " refused the run: " : " cannot be reached: ")
                                    + dev.couponpipeline.run.Errors.rootMessage(e),
                            e);
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
    private static final List<String> TRANSIENT =
            List.of("LOADING", "READONLY", "MASTERDOWN", "BUSY", "TRYAGAIN", "CLUSTERDOWN");

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
        return new LiveSetInfo(redis, keys).liveRunId();
    }

    /** The live run's result as its metadata records it (another instance swapped it). */
    public RunResult liveResult(String runId, java.time.Duration duration) {
        LiveSetMeta meta = new LiveSetInfo(redis, keys).metadata();
        return new RunResult(
                runId,
                true,
                null,
                meta.codesPerSource(),
                meta.count("codes", 0),
                meta.count("distinctCodes", 0),
                0,
                duration,
                null,
                meta.count("added", -1),
                meta.count("removed", -1));
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
                ScanOptions options = ScanOptions.scanOptions()
                        .match(prefix + "*")
                        .count(1000)
                        .build();
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
