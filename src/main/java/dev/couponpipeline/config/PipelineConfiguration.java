package dev.couponpipeline.config;

import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.metrics.PipelineMetrics;
import dev.couponpipeline.redis.LiveSetKeys;
import dev.couponpipeline.redis.ValidSetPublisher;
import dev.couponpipeline.routes.CodeTableAggregationStrategy;
import dev.couponpipeline.routes.CouponApi;
import dev.couponpipeline.routes.RunPublication;
import dev.couponpipeline.routes.SourceIngest;
import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.source.SourceRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.BeanInject;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Every bean of the pipeline, built from operator properties. */
@Configuration
public class PipelineConfiguration {

    @BindToRegistry("clock")
    public Clock clock() {
        return Clock.systemUTC();
    }

    @BindToRegistry("sources")
    public SourceRegistry sources() {
        return new SourceRegistry();
    }

    @BindToRegistry("codePattern")
    public CodePattern codePattern(@PropertyInject("coupon.code-pattern") String pattern,
            @PropertyInject("coupon.max-line-bytes") long maxLineBytes) {
        return CodePattern.compile(pattern, maxLineBytes);
    }

    /** Camel's Prometheus support serves the registry bound under this name on /observe/metrics. */
    @BindToRegistry("metricsRegistry")
    public PrometheusMeterRegistry metricsRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @BindToRegistry("pipelineMetrics")
    public PipelineMetrics pipelineMetrics(@BeanInject("metricsRegistry") PrometheusMeterRegistry registry,
            @BeanInject("clock") Clock clock) {
        return new PipelineMetrics(registry, clock);
    }

    @BindToRegistry("runCoordinator")
    public RunCoordinator runCoordinator(@BeanInject("clock") Clock clock,
            @PropertyInject("coupon.aggregator.completion-timeout-ms") long completionTimeoutMs) {
        return new RunCoordinator(clock, Duration.ofMillis(completionTimeoutMs));
    }

    @BindToRegistry("couponRedisTemplate")
    public StringRedisTemplate couponRedisTemplate(@PropertyInject("coupon.redis.host") String host,
            @PropertyInject("coupon.redis.port") int port,
            @PropertyInject("coupon.redis.timeout-ms") long timeoutMs) {
        JedisClientConfiguration client = JedisClientConfiguration.builder()
                .connectTimeout(Duration.ofMillis(timeoutMs))
                .readTimeout(Duration.ofMillis(timeoutMs))
                .usePooling()
                .build();
        JedisConnectionFactory factory = new JedisConnectionFactory(new RedisStandaloneConfiguration(host, port), client);
        factory.afterPropertiesSet();
        factory.start();
        StringRedisTemplate template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
        return template;
    }

    @BindToRegistry("liveSetKeys")
    public LiveSetKeys liveSetKeys(@PropertyInject("coupon.redis.key") String key) {
        return new LiveSetKeys(key);
    }

    @BindToRegistry("validSetPublisher")
    public ValidSetPublisher validSetPublisher(@BeanInject("couponRedisTemplate") StringRedisTemplate redis,
            @BeanInject("liveSetKeys") LiveSetKeys keys,
            @PropertyInject("coupon.redis.sadd-batch") int saddBatch,
            @PropertyInject("coupon.redis.pipeline-commands") int pipelineCommands,
            @BeanInject("clock") Clock clock) {
        return new ValidSetPublisher(redis, keys, saddBatch, pipelineCommands, clock);
    }

    @BindToRegistry("sourceIngest")
    public SourceIngest sourceIngest(@BeanInject("codePattern") CodePattern pattern,
            @PropertyInject("coupon.input-dir") String inputDir,
            @PropertyInject("coupon.kafka.partitions") int partitions,
            @PropertyInject("coupon.kafka.codes-per-record") int codesPerRecord,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        return new SourceIngest(pattern, Path.of(inputDir), partitions, codesPerRecord, coordinator, metrics);
    }

    @BindToRegistry("codeTableStrategy")
    public CodeTableAggregationStrategy codeTableStrategy(@BeanInject("sources") SourceRegistry sources,
            @PropertyInject("coupon.min-sources") int minSources,
            @PropertyInject("coupon.aggregator.expected-codes") long expectedCodes,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics,
            @BeanInject("clock") Clock clock) {
        return new CodeTableAggregationStrategy(sources, minSources, expectedCodes, metrics, clock);
    }

    @BindToRegistry("runPublication")
    public RunPublication runPublication(@BeanInject("validSetPublisher") ValidSetPublisher publisher,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        return new RunPublication(publisher, coordinator, metrics);
    }

    @BindToRegistry("couponApi")
    public CouponApi couponApi(@BeanInject("codePattern") CodePattern pattern,
            @BeanInject("couponRedisTemplate") StringRedisTemplate redis,
            @BeanInject("liveSetKeys") LiveSetKeys keys,
            @BeanInject("runCoordinator") RunCoordinator coordinator) {
        return new CouponApi(pattern, redis, keys, coordinator);
    }

    @BindToRegistry("couponHeaderDeserializer")
    public StringHeaderDeserializer couponHeaderDeserializer() {
        return new StringHeaderDeserializer();
    }
}
