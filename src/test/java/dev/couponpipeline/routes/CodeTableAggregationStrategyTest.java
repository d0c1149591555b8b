package dev.couponpipeline.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.config.CouponHeaders;
import dev.couponpipeline.metrics.PipelineMetrics;
import dev.couponpipeline.run.RunState;
import dev.couponpipeline.source.Source;
import dev.couponpipeline.source.SourceRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** Proves the strategy folds hand-built Kafka exchanges into one run state per aggregated exchange. */
class CodeTableAggregationStrategyTest {

    private final CamelContext context = new DefaultCamelContext();

    private CodeTableAggregationStrategy strategy() {
        SourceRegistry sources = new SourceRegistry();
        sources.register(new Source("a", "a.gz", "ta"));
        sources.register(new Source("b", "b.gz", "tb"));
        return new CodeTableAggregationStrategy(sources, 2, 0,
                new PipelineMetrics(new SimpleMeterRegistry(), Clock.systemUTC()), Clock.systemUTC());
    }

    private Exchange record(String source, String kind, String body) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader(CouponHeaders.RUN_ID, "r1");
        e.getMessage().setHeader(CouponHeaders.SOURCE, source);
        e.getMessage().setHeader(CouponHeaders.KIND, kind);
        e.getMessage().setHeader(KafkaConstants.PARTITION, 0);
        e.getMessage().setHeader(KafkaConstants.TOPIC, "t" + source);
        e.getMessage().setBody(body.getBytes(StandardCharsets.US_ASCII));
        return e;
    }

    private Exchange end(String source, long codes) {
        Exchange e = record(source, "end", "");
        e.getMessage().setHeader(CouponHeaders.PARTITION, "0");
        e.getMessage().setHeader(CouponHeaders.PARTITIONS, "1");
        e.getMessage().setHeader(CouponHeaders.CODES, Long.toString(codes));
        return e;
    }

    @Test
    void should_start_the_run_state_on_the_first_exchange_and_keep_it_on_the_old_one() throws Exception {
        CodeTableAggregationStrategy strategy = strategy();
        Exchange first = record("a", "data", "HAPPYHRS\nSUPER100");
        Exchange aggregated = strategy.aggregate(null, first);
        assertSame(first, aggregated);
        RunState state = aggregated.getMessage().getBody(RunState.class);
        Exchange second = record("b", "data", "HAPPYHRS");
        assertSame(aggregated, strategy.aggregate(aggregated, second));
        assertSame(state, aggregated.getMessage().getBody(RunState.class));
        assertFalse(strategy.runFinished().matches(aggregated));
        strategy.aggregate(aggregated, end("a", 2));
        strategy.aggregate(aggregated, end("b", 1));
        assertTrue(strategy.runFinished().matches(aggregated));
        assertTrue(state.isComplete(), state.incompleteReason());
        Set<String> valid = new HashSet<>();
        state.forEachValid((c, l, m) -> valid.add(new String(c, 0, l, StandardCharsets.US_ASCII)));
        assertEquals(Set.of("HAPPYHRS"), valid);
    }

    @Test
    void should_finish_a_run_as_failed_on_an_abort_record() throws Exception {
        CodeTableAggregationStrategy strategy = strategy();
        Exchange aggregated = strategy.aggregate(null, record("a", "data", "HAPPYHRS"));
        Exchange abort = record("b", "abort", "");
        abort.getMessage().setHeader(CouponHeaders.REASON, "b.gz: not gzip data");
        strategy.aggregate(aggregated, abort);
        assertTrue(strategy.runFinished().matches(aggregated));
        RunState state = aggregated.getMessage().getBody(RunState.class);
        assertFalse(state.isComplete());
        assertTrue(state.failure().contains("b.gz: not gzip data"));
    }
}
