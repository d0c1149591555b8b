package dev.couponpipeline.ops;

import dev.couponpipeline.records.SourceReader;
import dev.couponpipeline.run.RunResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's own meters (all named {@code coupon_*} on /observe/metrics) and the periodic progress line
 * that reports, per source in flight, bytes read of the file and codes per second.
 */
public final class PipelineMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineMetrics.class);

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, Counter> codesRead = new ConcurrentHashMap<>();
    private final Map<String, Counter> recordsProduced = new ConcurrentHashMap<>();
    private final Map<String, Counter> recordsConsumed = new ConcurrentHashMap<>();
    private final Map<String, Counter> sourceFailures = new ConcurrentHashMap<>();
    private final Map<String, Progress> inFlight = new ConcurrentHashMap<>();
    private final java.util.Set<String> gaugedSources = ConcurrentHashMap.newKeySet();
    private final AtomicLong validCodes = new AtomicLong();
    private final AtomicLong lastPublishEpochSeconds = new AtomicLong();
    private final AtomicLong lastRunMillis = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger controlPartitions =
            new java.util.concurrent.atomic.AtomicInteger();
    private final List<Object> strongly = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Counter runsPublished;
    private final Counter runsFailed;
    private final Counter runsHeld;
    private final Map<String, Counter> runsSkipped = new ConcurrentHashMap<>();
    private final AtomicLong lastAdded = new AtomicLong(-1);
    private final AtomicLong lastRemoved = new AtomicLong(-1);
    private final Counter publishRetries;
    private final Map<String, Counter> partsBuilt = new ConcurrentHashMap<>();
    private final Timer runDuration;

    public PipelineMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        Gauge.builder("coupon.valid.codes", validCodes, AtomicLong::get)
                .description("Valid codes in the live set")
                .register(registry);
        Gauge.builder("coupon.last.publish.time", lastPublishEpochSeconds, AtomicLong::get)
                .description("When the live set was last replaced (epoch seconds)")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("coupon.last.run.duration", lastRunMillis, v -> v.get() / 1000.0)
                .description("Duration of the last run")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder(
                        "coupon.aggregator.control.partitions",
                        controlPartitions,
                        java.util.concurrent.atomic.AtomicInteger::get)
                .description("Control partitions assigned to this aggregator (0 when it has none)")
                .register(registry);
        runsPublished = Counter.builder("coupon.runs.published")
                .description("Runs published")
                .register(registry);
        runsFailed = Counter.builder("coupon.runs.failed")
                .description("Runs failed (never published)")
                .register(registry);
        runsHeld = Counter.builder("coupon.runs.held")
                .description("Runs the guard before the swap held (empty, or removing too much of the live set)")
                .register(registry);
        for (String reason : new String[] {"in-flight", "unchanged"}) {
            runsSkipped.put(
                    reason,
                    Counter.builder("coupon.runs.skipped")
                            .tag("reason", reason)
                            .description(
                                    "Triggers skipped: a run was in flight, or the inputs are those of the live run")
                            .register(registry));
        }
        Gauge.builder("coupon.last.run.codes.added", lastAdded, AtomicLong::get)
                .description("Codes the last published or held run adds to the set it replaces (-1: unknown)")
                .register(registry);
        Gauge.builder("coupon.last.run.codes.removed", lastRemoved, AtomicLong::get)
                .description("Codes the last published or held run removes from the set it replaces (-1: unknown)")
                .register(registry);
        publishRetries = Counter.builder("coupon.publish.retries")
                .description("Publish attempts that failed and were retried (Redis down or slow)")
                .register(registry);
        runDuration = Timer.builder("coupon.run.duration")
                .description("Run duration, trigger to swap")
                .register(registry);
    }

    /** The API's near cache: answers it gave, answers Redis gave, answers it holds now. */
    public void apiCache(
            java.util.function.LongSupplier hits,
            java.util.function.LongSupplier misses,
            java.util.function.IntSupplier entries) {
        // meters hold their objects weakly, and these lambdas have no other reference
        strongly.addAll(List.of(hits, misses, entries));
        io.micrometer.core.instrument.FunctionCounter.builder(
                        "coupon.api.cache.hits", hits, java.util.function.LongSupplier::getAsLong)
                .description("Code checks answered from the near cache")
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(
                        "coupon.api.cache.misses", misses, java.util.function.LongSupplier::getAsLong)
                .description("Code checks answered by Redis")
                .register(registry);
        Gauge.builder("coupon.api.cache.entries", entries, java.util.function.IntSupplier::getAsInt)
                .description("Answers the near cache holds for the live run")
                .register(registry);
    }

    /** The control partitions Kafka gives this aggregator now (the parts of every run it builds). */
    public void controlPartitions(int count) {
        controlPartitions.set(count);
    }

    /**
     * One API request answered: by route ({@code check-code}, ...) and status class (2xx, 4xx, 5xx), as a
     * Prometheus histogram with buckets from 0.25 ms to 1 s (the dashboard's quantiles, the error-rate alert).
     */
    public void apiRequest(String route, String status, long nanos) {
        apiTimers
                .computeIfAbsent(
                        route + " " + status,
                        k -> Timer.builder("coupon.api.requests")
                                .tag("route", route)
                                .tag("status", status)
                                .description("API requests, route time (from the route's start to its answer)")
                                .serviceLevelObjectives(API_BUCKETS)
                                .register(registry))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static final java.time.Duration[] API_BUCKETS = java.util.stream.DoubleStream.of(
                    0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000)
            .mapToObj(ms -> java.time.Duration.ofNanos((long) (ms * 1e6)))
            .toArray(java.time.Duration[]::new);
    private final Map<String, Timer> apiTimers = new ConcurrentHashMap<>();

    public void sourceOpened(String source, SourceReader reader) {
        inFlight.put(source, new Progress(reader, clock.millis()));
        if (gaugedSources.add(source)) {
            registerSourceGauges(source);
        }
    }

    private void registerSourceGauges(String source) {
        Gauge.builder("coupon.source.bytes.read", inFlight, m -> {
                    Progress q = m.get(source);
                    return q == null ? 0 : q.reader.compressedBytesRead();
                })
                .tag("source", source)
                .description("Compressed bytes of the source file read so far")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("coupon.source.bytes.total", inFlight, m -> {
                    Progress q = m.get(source);
                    return q == null ? 0 : q.reader.fileSize();
                })
                .tag("source", source)
                .description("Size of the source file being read")
                .baseUnit("bytes")
                .register(registry);
    }

    public void recordProduced(String source, int codes) {
        codesRead
                .computeIfAbsent(
                        source,
                        s -> Counter.builder("coupon.codes.read")
                                .tag("source", s)
                                .description("Codes read from the source file (in-file duplicates included)")
                                .register(registry))
                .increment(codes);
        recordsProduced
                .computeIfAbsent(
                        source,
                        s -> Counter.builder("coupon.records.produced")
                                .tag("source", s)
                                .description("Kafka records produced")
                                .register(registry))
                .increment();
    }

    public void recordConsumed(String source) {
        recordsConsumed
                .computeIfAbsent(
                        source == null ? "unknown" : source,
                        s -> Counter.builder("coupon.records.consumed")
                                .tag("source", s)
                                .description("Kafka records consumed by the aggregator")
                                .register(registry))
                .increment();
    }

    public void sourceFinished(String source) {
        inFlight.remove(source);
    }

    public void sourceFailed(String source) {
        inFlight.remove(source);
        sourceFailures
                .computeIfAbsent(
                        source,
                        s -> Counter.builder("coupon.source.failures")
                                .tag("source", s)
                                .description("Source reads that failed")
                                .register(registry))
                .increment();
    }

    /** The aggregator's gauges: runs with a part being built, codes in those parts, heap its tables hold. */
    public void aggregatorGauges(
            java.util.function.LongSupplier openRuns,
            java.util.function.LongSupplier codes,
            java.util.function.LongSupplier bytes) {
        // strong references: the suppliers are lambdas nothing else holds
        Gauge.builder("coupon.aggregator.open.runs", openRuns, s -> s.getAsLong())
                .strongReference(true)
                .description("Runs with a part being built here (0 between runs)")
                .register(registry);
        Gauge.builder("coupon.table.codes", codes, s -> s.getAsLong())
                .strongReference(true)
                .description("Codes in the parts being built here (0 between runs)")
                .register(registry);
        Gauge.builder("coupon.table.bytes", bytes, s -> s.getAsLong())
                .strongReference(true)
                .baseUnit("bytes")
                .description("Heap bytes of the aggregator's part tables (kept a few seconds for the next part)")
                .register(registry);
    }

    /** A part of a run was built: swapped, waiting (for other parts), live_or_newer (nothing to do) or failed. */
    public void partBuilt(String outcome) {
        partsBuilt
                .computeIfAbsent(
                        outcome,
                        o -> Counter.builder("coupon.aggregator.parts")
                                .tag("outcome", o)
                                .description("Parts of runs the aggregator built, by outcome")
                                .register(registry))
                .increment();
    }

    public void publishRetried() {
        publishRetries.increment();
    }

    /** A trigger was skipped: {@code in-flight} (a run was) or {@code unchanged} (the live run's inputs). */
    public void runSkipped(String reason) {
        runsSkipped.get(reason).increment();
    }

    /** Live-set gauges read from Redis (every instance shows the same): present, codes, published at. */
    public void liveSetGauges(java.util.function.Supplier<double[]> liveSet) {
        java.util.concurrent.atomic.AtomicReference<double[]> cache =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong readAt = new java.util.concurrent.atomic.AtomicLong();
        java.util.function.IntToDoubleFunction value = i -> {
            long now = clock.millis();
            double[] v = cache.get();
            if (v == null || now - readAt.get() > 5000) {
                v = liveSet.get();
                cache.set(v);
                readAt.set(now);
            }
            return v[i];
        };
        Gauge.builder("coupon.live.set.present", value, f -> f.applyAsDouble(0))
                .strongReference(true)
                .description("1 when Redis holds the live set and its metadata, 0 when it is missing, -1 when "
                        + "Redis cannot be read")
                .register(registry);
        Gauge.builder("coupon.live.set.codes", value, f -> f.applyAsDouble(1))
                .strongReference(true)
                .description("Codes in the live set, as its metadata in Redis says")
                .register(registry);
        Gauge.builder("coupon.live.set.published.time", value, f -> f.applyAsDouble(2))
                .strongReference(true)
                .baseUnit("seconds")
                .description("When the live set was published (epoch seconds, from Redis)")
                .register(registry);
    }

    /** Phase durations of the last run that ended here: produce (files into Kafka) and aggregate (to the swap). */
    public void phase(String phase, double seconds) {
        phaseSeconds
                .computeIfAbsent(phase, p -> {
                    AtomicLong holder = new AtomicLong();
                    Gauge.builder("coupon.last.run.phase", holder, h -> h.get() / 1000.0)
                            .tag("phase", p)
                            .baseUnit("seconds")
                            .description("Duration of each phase of the last run")
                            .register(registry);
                    return holder;
                })
                .set(Math.round(seconds * 1000));
    }

    private final Map<String, AtomicLong> phaseSeconds = new ConcurrentHashMap<>();

    /** What each source in flight has read: bytes of the file and codes. */
    public Map<String, long[]> sourcesInFlight() {
        Map<String, long[]> out = new java.util.TreeMap<>();
        inFlight.forEach((source, p) -> out.put(source, new long[] {p.reader.compressedBytesRead(), p.reader.codes()}));
        return out;
    }

    /** How a run ended, as the coordinator learned it (once per run). A run only sent to Kafka counts nowhere. */
    public void runEnded(RunResult result) {
        if (result.isHeld()) {
            runsHeld.increment();
            lastAdded.set(result.added());
            lastRemoved.set(result.removed());
            return;
        }
        if (result.published()) {
            lastAdded.set(result.added());
            lastRemoved.set(result.removed());
            runsPublished.increment();
            validCodes.set(result.validCodes());
            lastPublishEpochSeconds.set(clock.instant().getEpochSecond());
        } else if (result.failure() != null) {
            runsFailed.increment();
        } else {
            return;
        }
        lastRunMillis.set(result.duration().toMillis());
        runDuration.record(result.duration());
    }

    /** Logs one line per source in flight: share of the file read, codes so far, codes per second. */
    public void logProgress() {
        long now = clock.millis();
        inFlight.forEach((source, p) -> {
            long codes = p.reader.codes();
            long read = p.reader.compressedBytesRead();
            double secs = Math.max(0.001, (now - p.lastMillis) / 1000.0);
            double rate = (codes - p.lastCodes) / secs;
            p.lastCodes = codes;
            p.lastMillis = now;
            LOG.info(String.format(
                    Locale.ROOT,
                    "source %s: %,d / %,d bytes (%.0f%%), %,d codes, %,.0f codes/s",
                    source,
                    read,
                    p.reader.fileSize(),
                    100.0 * read / Math.max(1, p.reader.fileSize()),
                    codes,
                    rate));
        });
    }

    private static final class Progress {
        final SourceReader reader;
        long lastMillis;
        long lastCodes;

        Progress(SourceReader reader, long startMillis) {
            this.reader = reader;
            this.lastMillis = startMillis;
        }
    }
}
