package dev.couponpipeline.config;

import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.metrics.PipelineMetrics;
import dev.couponpipeline.redis.LiveSetInfo;
import dev.couponpipeline.redis.LiveSetKeys;
import dev.couponpipeline.redis.LiveSetWatch;
import dev.couponpipeline.run.TableSizing;
import dev.couponpipeline.redis.ValidSetPublisher;
import dev.couponpipeline.routes.CodeTableAggregationStrategy;
import dev.couponpipeline.routes.CouponApi;
import dev.couponpipeline.routes.OffsetCommitter;
import dev.couponpipeline.routes.RunPublication;
import dev.couponpipeline.routes.SourceIngest;
import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.run.RunSequencer;
import dev.couponpipeline.source.SourceRegistry;
import dev.couponpipeline.source.TopicSetup;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.BeanInject;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Every bean of the pipeline, built from operator properties. */
@Configuration
public class PipelineConfiguration {

    @BindToRegistry(value = "clock", lazy = true)
    public Clock clock() {
        return Clock.systemUTC();
    }

    @BindToRegistry(value = "sources", lazy = true)
    public SourceRegistry sources() {
        return new SourceRegistry();
    }

    @BindToRegistry(value = "codePattern", lazy = true)
    public CodePattern codePattern(@PropertyInject("coupon.code-pattern") String pattern,
            @PropertyInject("coupon.max-line-bytes") long maxLineBytes) {
        return CodePattern.compile(pattern, maxLineBytes);
    }

    /** Our meters go to the registry camel-micrometer-prometheus serves on /observe/metrics. */
    @BindToRegistry(value = "pipelineMetrics", lazy = true)
    public PipelineMetrics pipelineMetrics(@BeanInject("metricsRegistry") MeterRegistry registry,
            @BeanInject("clock") Clock clock) {
        return new PipelineMetrics(registry, clock);
    }

    @BindToRegistry(value = "roles", lazy = true)
    public Roles roles(@PropertyInject(value = Roles.KEY, defaultValue = "all") String role) {
        return Roles.parse(role);
    }

    @BindToRegistry(value = "runCoordinator", lazy = true)
    public RunCoordinator runCoordinator(@BeanInject("clock") Clock clock,
            @PropertyInject("coupon.aggregator.completion-timeout-ms") long completionTimeoutMs,
            @BeanInject("roles") Roles roles,
            @PropertyInject("coupon.run.retry.max-attempts") int maxRetries,
            @PropertyInject("coupon.run.retry.delay-seconds") long retryDelaySeconds) {
        return new RunCoordinator(clock, Duration.ofMillis(completionTimeoutMs), roles.aggregator(), maxRetries,
                Duration.ofSeconds(retryDelaySeconds));
    }

    @BindToRegistry(value = "liveSetWatch", lazy = true)
    public LiveSetWatch liveSetWatch(@BeanInject("liveSetInfo") LiveSetInfo liveSet,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @PropertyInject("coupon.live-set.restore-min-interval-seconds") long minIntervalSeconds,
            @BeanInject("clock") Clock clock) {
        return new LiveSetWatch(liveSet, coordinator, Duration.ofSeconds(minIntervalSeconds), clock);
    }

    @BindToRegistry(value = "couponRedisTemplate", lazy = true)
    public StringRedisTemplate couponRedisTemplate(@PropertyInject("coupon.redis.host") String host,
            @PropertyInject("coupon.redis.port") int port,
            @PropertyInject("coupon.redis.timeout-ms") long timeoutMs,
            @PropertyInject("coupon.redis.pool-size") int poolSize) {
        // the API checks codes concurrently: one pooled connection per concurrent request, without waiting
        GenericObjectPoolConfig<Object> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMinIdle(Math.min(8, poolSize));
        JedisClientConfiguration client = JedisClientConfiguration.builder()
                .connectTimeout(Duration.ofMillis(timeoutMs))
                .readTimeout(Duration.ofMillis(timeoutMs))
                .usePooling()
                .poolConfig(pool)
                .build();
        JedisConnectionFactory factory = new JedisConnectionFactory(new RedisStandaloneConfiguration(host, port), client);
        factory.afterPropertiesSet();
        factory.start();
        StringRedisTemplate template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
        return template;
    }

    @BindToRegistry(value = "liveSetKeys", lazy = true)
    public LiveSetKeys liveSetKeys(@PropertyInject("coupon.redis.key") String key) {
        return new LiveSetKeys(key);
    }

    @BindToRegistry(value = "validSetPublisher", lazy = true)
    public ValidSetPublisher validSetPublisher(@BeanInject("couponRedisTemplate") StringRedisTemplate redis,
            @BeanInject("liveSetKeys") LiveSetKeys keys,
            @PropertyInject("coupon.redis.sadd-batch") int saddBatch,
            @PropertyInject("coupon.redis.pipeline-commands") int pipelineCommands,
            @BeanInject("clock") Clock clock) {
        return new ValidSetPublisher(redis, keys, saddBatch, pipelineCommands, clock);
    }

    @BindToRegistry(value = "sourceIngest", lazy = true)
    public SourceIngest sourceIngest(@BeanInject("codePattern") CodePattern pattern,
            @PropertyInject("coupon.input-dir") String inputDir,
            @PropertyInject("coupon.kafka.partitions") int partitions,
            @PropertyInject("coupon.kafka.codes-per-record") int codesPerRecord,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        return new SourceIngest(pattern, Path.of(inputDir), partitions, codesPerRecord, coordinator, metrics);
    }

    @BindToRegistry(value = "codeTableStrategy", lazy = true)
    public CodeTableAggregationStrategy codeTableStrategy(@BeanInject("sources") SourceRegistry sources,
            @PropertyInject("coupon.min-sources") int minSources,
            @PropertyInject("coupon.aggregator.expected-codes") long expectedCodes,
            @PropertyInject("coupon.aggregator.insert-threads") int insertThreads,
            @PropertyInject("coupon.kafka.partitions") int partitions,
            @BeanInject("liveSetInfo") LiveSetInfo liveSet,
            @BeanInject("runSequencer") RunSequencer sequencer,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics,
            @BeanInject("clock") Clock clock) {
        TableSizing sizing = new TableSizing(expectedCodes, liveSet::lastDistinctCodes, Runtime.getRuntime().maxMemory());
        return new CodeTableAggregationStrategy(sources, minSources, sizing::expectedCodes, partitions,
                insertThreads, sequencer, metrics, clock);
    }

    @BindToRegistry(value = "runSequencer", lazy = true)
    public RunSequencer runSequencer() {
        return new RunSequencer();
    }

    @BindToRegistry(value = "liveSetInfo", lazy = true)
    public LiveSetInfo liveSetInfo(@BeanInject("couponRedisTemplate") StringRedisTemplate redis,
            @BeanInject("liveSetKeys") LiveSetKeys keys) {
        return new LiveSetInfo(redis, keys);
    }

    @BindToRegistry(value = "runPublication", lazy = true)
    public RunPublication runPublication(@BeanInject("validSetPublisher") ValidSetPublisher publisher,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics,
            @BeanInject("offsetCommitter") OffsetCommitter offsets,
            @BeanInject("runSequencer") RunSequencer sequencer) {
        return new RunPublication(publisher, coordinator, metrics, offsets, sequencer);
    }

    @BindToRegistry(value = "offsetCommitter", lazy = true)
    public OffsetCommitter offsetCommitter(@BeanInject("runSequencer") RunSequencer sequencer) {
        return new OffsetCommitter(sequencer);
    }

    @BindToRegistry(value = "couponApi", lazy = true)
    public CouponApi couponApi(@BeanInject("codePattern") CodePattern pattern,
            @BeanInject("couponRedisTemplate") StringRedisTemplate redis,
            @BeanInject("liveSetKeys") LiveSetKeys keys,
            @BeanInject("runCoordinator") RunCoordinator coordinator) {
        return new CouponApi(pattern, redis, keys, coordinator);
    }

    @BindToRegistry(value = "topicSetup", lazy = true)
    public TopicSetup topicSetup(@PropertyInject("coupon.kafka.brokers") String brokers,
            @PropertyInject("coupon.kafka.partitions") int partitions,
            @PropertyInject("coupon.kafka.replication-factor") int replicationFactor,
            @PropertyInject("coupon.kafka.retention-ms") long retentionMs,
            @PropertyInject("camel.component.kafka.max-request-size") int maxMessageBytes) {
        return new TopicSetup(brokers, partitions, replicationFactor, retentionMs, maxMessageBytes);
    }

    @BindToRegistry(value = "couponHeaderDeserializer", lazy = true)
    public StringHeaderDeserializer couponHeaderDeserializer() {
        return new StringHeaderDeserializer();
    }
}
