package dev.couponpipeline.boot;

import dev.couponpipeline.aggregate.PartAggregation;
import dev.couponpipeline.aggregate.PartEndsStrategy;
import dev.couponpipeline.aggregate.RangeReader;
import dev.couponpipeline.aggregate.RunReplay;
import dev.couponpipeline.api.ApiHttpEngine;
import dev.couponpipeline.api.ApiTimer;
import dev.couponpipeline.api.CodeCheckHandler;
import dev.couponpipeline.api.CodeLookup;
import dev.couponpipeline.api.HttpAccess;
import dev.couponpipeline.api.LiveSetQuery;
import dev.couponpipeline.api.ReplayApi;
import dev.couponpipeline.api.RunsApi;
import dev.couponpipeline.api.ValidationAnswers;
import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.files.InputArchive;
import dev.couponpipeline.files.InputReadiness;
import dev.couponpipeline.files.SourceRegistry;
import dev.couponpipeline.ops.PipelineMetrics;
import dev.couponpipeline.ops.RunRecorder;
import dev.couponpipeline.produce.InputWait;
import dev.couponpipeline.produce.KafkaClients;
import dev.couponpipeline.produce.RunPreflight;
import dev.couponpipeline.produce.SourceSender;
import dev.couponpipeline.produce.TopicSetup;
import dev.couponpipeline.produce.UnchangedInputs;
import dev.couponpipeline.publish.LiveSetInfo;
import dev.couponpipeline.publish.LiveSetKeys;
import dev.couponpipeline.publish.LiveSetPublisher;
import dev.couponpipeline.publish.LiveSetWatch;
import dev.couponpipeline.publish.RedisClientSettings;
import dev.couponpipeline.publish.RunHistory;
import dev.couponpipeline.publish.RunOutcomeWatch;
import dev.couponpipeline.run.FatalErrors;
import dev.couponpipeline.run.Roles;
import dev.couponpipeline.run.RunCoordinator;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Every bean of the pipeline, built from operator properties. */
@Configuration
public class PipelineConfiguration implements CamelConfiguration, CamelContextAware {

    private CamelContext camelContext;

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** Our own Kafka clients (source producers, range readers, admin) take Camel's Kafka component settings. */
    @BindToRegistry(value = "kafkaClients", lazy = true)
    public KafkaClients kafkaClients() {
        return new KafkaClients(
                camelContext.getComponent("kafka", KafkaComponent.class).getConfiguration());
    }

    @BindToRegistry(value = "clock", lazy = true)
    public Clock clock() {
        return Clock.systemUTC();
    }

    @BindToRegistry(value = "sources", lazy = true)
    public SourceRegistry sources() {
        return new SourceRegistry();
    }

    @BindToRegistry(value = "codePattern", lazy = true)
    public CodePattern codePattern(
            @PropertyInject("coupon.code-pattern") String pattern,
            @PropertyInject("coupon.max-line-bytes") long maxLineBytes) {
        return CodePattern.compile(pattern, maxLineBytes);
    }

    /** Our meters go to the registry camel-micrometer-prometheus serves on /observe/metrics. */
    @BindToRegistry(value = "pipelineMetrics", lazy = true)
    public PipelineMetrics pipelineMetrics(
            @BeanInject("metricsRegistry") MeterRegistry registry,
            @BeanInject("clock") Clock clock,
            @BeanInject("liveSetInfo") LiveSetInfo liveSet) {
        PipelineMetrics metrics = new PipelineMetrics(registry, clock);
        metrics.liveSetGauges(liveSet::gauges);
        return metrics;
    }

    /** The run history in Redis, the newest {@code coupon.runs.history} runs. */
    @BindToRegistry(value = "runHistory", lazy = true)
    public RunHistory runHistory(
            @BeanInject("couponRedisTemplate") StringRedisTemplate redis,
            @BeanInject("liveSetKeys") LiveSetKeys keys,
            @BeanInject("clock") Clock clock,
            @PropertyInject(value = "coupon.runs.history", defaultValue = "50") int limit) {
        return new RunHistory(redis, keys, clock, limit);
    }

    @BindToRegistry(value = "runRecorder", lazy = true)
    public RunRecorder runRecorder(
            @BeanInject("runHistory") RunHistory history,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics,
            @BeanInject("sources") SourceRegistry sources) {
        return new RunRecorder(history, coordinator, metrics, sources);
    }

    @BindToRegistry(value = "apiTimer", lazy = true)
    public ApiTimer apiTimer(@BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        return new ApiTimer(metrics);
    }

    @BindToRegistry(value = "runsApi", lazy = true)
    public RunsApi runsApi(
            @BeanInject("runHistory") RunHistory history,
            @BeanInject("liveSetPublisher") LiveSetPublisher publisher,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics,
            @PropertyInject(value = "coupon.runs.history", defaultValue = "50") int limit) {
        return new RunsApi(history, publisher, metrics, limit);
    }

    @BindToRegistry(value = "roles", lazy = true)
    public Roles roles(@PropertyInject(value = Roles.KEY, defaultValue = "all") String role) {
        return Roles.parse(role);
    }

    @BindToRegistry(value = "runCoordinator", lazy = true)
    public RunCoordinator runCoordinator(
            @BeanInject("clock") Clock clock,
            @PropertyInject("coupon.aggregator.completion-timeout-ms") long completionTimeoutMs,
            @BeanInject("roles") Roles roles,
            @PropertyInject("coupon.run.retry.max-attempts") int maxRetries,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        RunCoordinator coordinator =
                new RunCoordinator(clock, Duration.ofMillis(completionTimeoutMs), roles.aggregator(), maxRetries > 0);
        coordinator.onResult(metrics::runEnded);
        // looked up when a run ends, not now: the history needs Redis
        coordinator.onResult(result -> {
            RunHistory history = camelContext.getRegistry().lookupByNameAndType("runHistory", RunHistory.class);
            history.ended(result);
            if (result.published() || result.isHeld()) {
                history.phases(result.runId()).forEach(metrics::phase);
            }
        });
        // the publisher is looked up when an Error happens, not now (it needs Redis; a producer may have none yet)
        new FatalErrors(
                        coordinator,
                        (runId, reason) -> camelContext
                                .getRegistry()
                                .lookupByNameAndType("liveSetPublisher", LiveSetPublisher.class)
                                .recordFailure(runId, reason))
                .install();
        return coordinator;
    }

    @BindToRegistry(value = "runReplay", lazy = true)
    public RunReplay runReplay(
            @BeanInject("kafkaClients") KafkaClients kafka,
            @PropertyInject("coupon.kafka.control-topic") String controlTopic,
            @BeanInject("sources") SourceRegistry sources,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @BeanInject("runHistory") RunHistory history) {
        return new RunReplay(kafka, controlTopic, sources::ids, coordinator, history);
    }

    @BindToRegistry(value = "replayApi", lazy = true)
    public ReplayApi replayApi(
            @BeanInject("runReplay") RunReplay replay, @BeanInject("liveSetWatch") LiveSetWatch watch) {
        return new ReplayApi(replay, watch);
    }

    @BindToRegistry(value = "runOutcomeWatch", lazy = true)
    public RunOutcomeWatch runOutcomeWatch(
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @BeanInject("liveSetPublisher") LiveSetPublisher publisher,
            @BeanInject("clock") Clock clock) {
        return new RunOutcomeWatch(coordinator, publisher, clock);
    }

    @BindToRegistry(value = "liveSetWatch", lazy = true)
    public LiveSetWatch liveSetWatch(
            @BeanInject("liveSetInfo") LiveSetInfo liveSet,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @PropertyInject("coupon.live-set.restore-min-interval-seconds") long minIntervalSeconds,
            @PropertyInject("coupon.aggregator.completion-timeout-ms") long completionTimeoutMs,
            @BeanInject("clock") Clock clock) {
        Duration interval = Duration.ofSeconds(minIntervalSeconds);
        // a restore run may take the aggregator's whole deadline: the claim covers it
        return new LiveSetWatch(liveSet, coordinator, interval, interval.plusMillis(completionTimeoutMs), clock);
    }

    @BindToRegistry(value = "redisConnection", lazy = true)
    public RedisClientSettings redisConnection(
            @PropertyInject(Infrastructure.REDIS_HOST) String host,
            @PropertyInject(Infrastructure.REDIS_PORT) int port,
            @PropertyInject(value = "coupon.redis.username", defaultValue = "") String username,
            @PropertyInject(value = "coupon.redis.password", defaultValue = "") String password,
            @PropertyInject(value = "coupon.redis.database", defaultValue = "0") int database,
            @PropertyInject(value = "coupon.redis.ssl", defaultValue = "false") boolean ssl,
            @PropertyInject(value = "coupon.redis.ssl.truststore", defaultValue = "") String truststore,
            @PropertyInject(value = "coupon.redis.ssl.truststore-password", defaultValue = "")
                    String truststorePassword,
            @PropertyInject(value = "coupon.redis.ssl.truststore-type", defaultValue = "PKCS12") String truststoreType,
            @PropertyInject(value = "coupon.redis.ssl.verify-hostname", defaultValue = "true") boolean verifyHostname,
            @PropertyInject(value = "coupon.redis.sentinel.master", defaultValue = "") String sentinelMaster,
            @PropertyInject(value = "coupon.redis.sentinel.nodes", defaultValue = "") String sentinelNodes,
            @PropertyInject(value = "coupon.redis.sentinel.password", defaultValue = "") String sentinelPassword,
            @PropertyInject("coupon.redis.timeout-ms") long timeoutMs,
            @PropertyInject("coupon.redis.pool-size") int poolSize) {
        return new RedisClientSettings(
                host,
                port,
                username,
                password,
                database,
                ssl,
                truststore,
                truststorePassword,
                truststoreType,
                verifyHostname,
                sentinelMaster,
                sentinelNodes,
                sentinelPassword,
                Duration.ofMillis(timeoutMs),
                poolSize);
    }

    @BindToRegistry(value = "couponRedisTemplate", lazy = true)
    public StringRedisTemplate couponRedisTemplate(@BeanInject("redisConnection") RedisClientSettings connection) {
        return connection.template();
    }

    @BindToRegistry(value = "liveSetKeys", lazy = true)
    public LiveSetKeys liveSetKeys(@PropertyInject("coupon.redis.key") String key) {
        return new LiveSetKeys(key);
    }

    @BindToRegistry(value = "liveSetPublisher", lazy = true)
    public LiveSetPublisher liveSetPublisher(
            @BeanInject("couponRedisTemplate") StringRedisTemplate redis,
            @BeanInject("liveSetKeys") LiveSetKeys keys,
            @PropertyInject("coupon.redis.sadd-batch") int saddBatch,
            @PropertyInject("coupon.redis.pipeline-commands") int pipelineCommands,
            @BeanInject("clock") Clock clock,
            @PropertyInject(value = "coupon.publish.max-removed-percent", defaultValue = "50") int maxRemovedPercent) {
        return new LiveSetPublisher(redis, keys, saddBatch, pipelineCommands, clock, maxRemovedPercent);
    }

    /** The REST routes' HTTP engine: on the API's server, also when /observe has a port of its own. */
    @BindToRegistry(value = "platform-http-engine", lazy = true)
    public ApiHttpEngine platformHttpEngine(
            @PropertyInject("coupon.http.port") int apiPort,
            @PropertyInject("coupon.management.port") int managementPort) {
        return new ApiHttpEngine(apiPort, managementPort);
    }

    @BindToRegistry(value = "httpAccess", lazy = true)
    public HttpAccess httpAccess(@PropertyInject(value = "coupon.http.token", defaultValue = "") String token) {
        return new HttpAccess(token);
    }

    @BindToRegistry(value = "runPreflight", lazy = true)
    public RunPreflight runPreflight(
            @BeanInject("liveSetPublisher") LiveSetPublisher publisher,
            @BeanInject("redisConnection") RedisClientSettings redis,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @PropertyInject(value = "coupon.redis.preflight-seconds", defaultValue = "10") long patienceSeconds) {
        return new RunPreflight(publisher, redis, coordinator, Duration.ofSeconds(patienceSeconds));
    }

    /** Whether a run's files are complete: stable for a while, or with their done file (camel-file's rules). */
    @BindToRegistry(value = "inputWait", lazy = true)
    public InputWait inputWait(
            @BeanInject("clock") Clock clock,
            @PropertyInject(value = "coupon.input.stable-seconds", defaultValue = "10") long stableSeconds,
            @PropertyInject(value = "coupon.input.wait-minutes", defaultValue = "60") double waitMinutes,
            @PropertyInject(value = "coupon.input.done-file", defaultValue = "") String doneFile,
            @PropertyInject("coupon.input-dir") String inputDir,
            @BeanInject("sources") SourceRegistry sources,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @PropertyInject(value = "coupon.input.archive-dir", defaultValue = "") String archiveDir,
            @PropertyInject(value = "coupon.input.archive-keep", defaultValue = "7") int archiveKeep) {
        InputReadiness readiness = new InputReadiness(
                clock,
                Duration.ofSeconds(stableSeconds),
                Duration.ofMillis(Math.round(waitMinutes * 60_000)),
                doneFile,
                Duration.ofMillis(500),
                Duration.ofSeconds(30),
                d -> Thread.sleep(d.toMillis()));
        InputArchive archive =
                new InputArchive(archiveDir.isBlank() ? null : Path.of(archiveDir), archiveKeep, readiness::doneFileOf);
        InputWait wait = new InputWait(readiness, sources, Path.of(inputDir), coordinator, archive);
        coordinator.onResult(wait::runEnded);
        return wait;
    }

    @BindToRegistry(value = "unchangedInputs", lazy = true)
    public UnchangedInputs unchangedInputs(
            @BeanInject("couponRedisTemplate") StringRedisTemplate redis,
            @BeanInject("liveSetKeys") LiveSetKeys keys,
            @BeanInject("liveSetInfo") LiveSetInfo liveSet,
            @BeanInject("sources") SourceRegistry sources,
            @PropertyInject("coupon.input-dir") String inputDir,
            @BeanInject("runHistory") RunHistory history,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        return new UnchangedInputs(redis, keys, liveSet, sources, Path.of(inputDir), history, metrics);
    }

    @BindToRegistry(value = "sourceSender", lazy = true)
    public SourceSender sourceSender(
            @BeanInject("codePattern") CodePattern pattern,
            @PropertyInject("coupon.input-dir") String inputDir,
            @PropertyInject("coupon.kafka.partitions") int partitions,
            @PropertyInject("coupon.kafka.codes-per-record") int codesPerRecord,
            @PropertyInject(value = "coupon.input.isal", defaultValue = "true") boolean isal,
            @BeanInject("sources") SourceRegistry sources,
            @BeanInject("kafkaClients") KafkaClients kafka,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics,
            @BeanInject("runHistory") RunHistory history) {
        return new SourceSender(
                pattern,
                Path.of(inputDir),
                partitions,
                codesPerRecord,
                isal,
                sources,
                kafka,
                coordinator,
                metrics,
                history);
    }

    @BindToRegistry(value = "partEndsStrategy", lazy = true)
    public PartEndsStrategy partEndsStrategy(@BeanInject("sources") SourceRegistry sources) {
        return new PartEndsStrategy(sources);
    }

    @BindToRegistry(value = "partAggregation", lazy = true)
    public PartAggregation partAggregation(
            @BeanInject("liveSetPublisher") LiveSetPublisher publisher,
            @BeanInject("runHistory") RunHistory history,
            @BeanInject("runCoordinator") RunCoordinator coordinator,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics,
            @BeanInject("kafkaClients") KafkaClients kafka,
            @PropertyInject("coupon.min-sources") int minSources,
            @PropertyInject("coupon.aggregator.memory-mb") long memoryMb,
            @PropertyInject("coupon.aggregator.range-stall-seconds") long stallSeconds,
            @PropertyInject("coupon.max-line-bytes") int maxLineBytes,
            @BeanInject("clock") Clock clock) {
        // a range reader fetches big slices of few partitions, and never waits on a partition it has read
        Map<String, Object> reader = Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "none",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                8 << 20,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                32 << 20,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                50,
                ConsumerConfig.RECEIVE_BUFFER_CONFIG,
                1 << 20,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                1000);
        return new PartAggregation(
                publisher,
                history,
                coordinator,
                metrics,
                () -> new RangeReader(kafka.consumer(reader), Duration.ofSeconds(stallSeconds)),
                minSources,
                memoryMb << 20,
                maxLineBytes,
                clock);
    }

    @BindToRegistry(value = "liveSetInfo", lazy = true)
    public LiveSetInfo liveSetInfo(
            @BeanInject("couponRedisTemplate") StringRedisTemplate redis, @BeanInject("liveSetKeys") LiveSetKeys keys) {
        return new LiveSetInfo(redis, keys);
    }

    @BindToRegistry(value = "validationAnswers", lazy = true)
    public ValidationAnswers validationAnswers(
            @BeanInject("codePattern") CodePattern pattern,
            @BeanInject("codeLookup") CodeLookup lookup,
            @BeanInject("couponRedisTemplate") StringRedisTemplate redis,
            @BeanInject("liveSetKeys") LiveSetKeys keys,
            @BeanInject("runCoordinator") RunCoordinator coordinator) {
        return new ValidationAnswers(pattern, lookup, redis, keys, coordinator);
    }

    /** Is a code valid: Redis, with a near cache whose answers are at most coupon.api.cache-ms behind a swap. */
    @BindToRegistry(value = "codeLookup", lazy = true)
    public CodeLookup codeLookup(
            @BeanInject("couponRedisTemplate") StringRedisTemplate redis,
            @BeanInject("liveSetKeys") LiveSetKeys keys,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics,
            @PropertyInject(value = "coupon.api.cache-ms", defaultValue = "100") long cacheMs,
            @PropertyInject(value = "coupon.api.cache-entries", defaultValue = "100000") int cacheEntries)
            throws Exception {
        CodeLookup lookup = new CodeLookup(
                new LiveSetQuery(redis, keys), Duration.ofMillis(cacheMs), cacheEntries, System::nanoTime);
        // its poller runs while Camel does (started and stopped with the context)
        camelContext.addService(
                new org.apache.camel.support.service.ServiceSupport() {
                    @Override
                    protected void doStart() {
                        lookup.start();
                    }

                    @Override
                    protected void doStop() {
                        lookup.close();
                    }
                },
                true,
                true);
        metrics.apiCache(lookup::hits, lookup::misses, lookup::cachedEntries);
        return lookup;
    }

    @BindToRegistry(value = "codeCheckHandler", lazy = true)
    public CodeCheckHandler codeCheckHandler(
            @BeanInject("codeLookup") CodeLookup lookup,
            @PropertyInject(value = "coupon.api.max-pending", defaultValue = "512") int maxPending,
            @BeanInject("codePattern") CodePattern pattern,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        return new CodeCheckHandler(
                lookup,
                pattern::canProduce,
                pattern.source(),
                (status, nanos) -> metrics.apiRequest("check-code", status, nanos),
                maxPending);
    }

    @BindToRegistry(value = "topicSetup", lazy = true)
    public TopicSetup topicSetup(
            @BeanInject("kafkaClients") KafkaClients kafka,
            @PropertyInject("coupon.kafka.control-topic") String controlTopic,
            @PropertyInject("coupon.kafka.partitions") int partitions,
            @PropertyInject("coupon.kafka.replication-factor") int replicationFactor,
            @PropertyInject("coupon.kafka.retention-ms") long retentionMs,
            @PropertyInject("camel.component.kafka.max-request-size") int maxMessageBytes,
            @PropertyInject("coupon.aggregator.completion-timeout-ms") long completionTimeoutMs) {
        return new TopicSetup(
                kafka, controlTopic, partitions, replicationFactor, retentionMs, maxMessageBytes, completionTimeoutMs);
    }
}
