package dev.couponpipeline.api;

import dev.couponpipeline.publish.LiveSetKeys;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * The live set as the API reads it: a code's membership together with the id of the run whose set answered, in
 * one script (so no swap can fall between the two reads), and the live run's id.
 */
public final class LiveSetQuery implements CodeLookup.LiveSet {

    /** "1" or "0", then the live run's id (empty when nothing is published). */
    private static final String CHECK = """
            local member = redis.call('SISMEMBER', KEYS[1], ARGV[1])
            local runId = redis.call('HGET', KEYS[2], 'runId')
            return tostring(member) .. (runId or '')
            """;

    private final DefaultRedisScript<String> check = new DefaultRedisScript<>(CHECK, String.class);
    private final StringRedisTemplate redis;
    private final List<String> keys;
    private final String meta;

    public LiveSetQuery(StringRedisTemplate redis, LiveSetKeys keys) {
        this.redis = redis;
        this.keys = List.of(keys.live(), keys.meta());
        this.meta = keys.meta();
    }

    @Override
    public CodeLookup.Answer check(String code) {
        String answer = redis.execute(check, keys, code);
        if (answer == null || answer.isEmpty()) {
            throw new IllegalStateException("Redis gave no answer to the code check");
        }
        return new CodeLookup.Answer(answer.charAt(0) == '1', answer.substring(1));
    }

    @Override
    public String liveRunId() {
        Object runId = redis.opsForHash().get(meta, "runId");
        return runId == null ? "" : runId.toString();
    }
}
