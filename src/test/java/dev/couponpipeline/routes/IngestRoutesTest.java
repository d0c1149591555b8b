package dev.couponpipeline.routes;

import static dev.couponpipeline.source.GzipFixtures.gzip;
import static dev.couponpipeline.source.GzipFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.config.CouponHeaders;
import dev.couponpipeline.metrics.PipelineMetrics;
import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.source.SourceRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves a gzip-source route sends every code in batched records, then an end record with the count, or an abort record. */
class IngestRoutesTest extends CamelTestSupport {

    @TempDir
    static Path input;

    private final SourceRegistry sources = new SourceRegistry();
    private final RunCoordinator coordinator = new RunCoordinator(Clock.systemUTC(), Duration.ofMinutes(1));

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("sources", sources);
        registry.bind("sourceIngest", new SourceIngest(CodePattern.defaultPattern(), input, 1, 3, coordinator,
                new PipelineMetrics(new SimpleMeterRegistry(), Clock.systemUTC())));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        IngestRoutes routes = new IngestRoutes();
        routes.sources = sources;
        return routes;
    }

    private MockEndpoint instantiate(String name) throws Exception {
        TemplatedRouteBuilder.builder(context, IngestRoutes.TEMPLATE)
                .routeId("source-" + name)
                .parameter("name", name)
                .parameter("file", name + ".gz")
                .parameter("topic", "topic-" + name)
                .add();
        AdviceWith.adviceWith(context, "source-" + name,
                a -> a.weaveByToUri("kafka:*").replace().to("mock:kafka-" + name));
        context.start();
        return getMockEndpoint("mock:kafka-" + name);
    }

    private static List<String> codesIn(List<Exchange> records) {
        List<String> codes = new ArrayList<>();
        for (Exchange e : records) {
            if ("data".equals(e.getMessage().getHeader(CouponHeaders.KIND))) {
                codes.addAll(Arrays.asList(new String(e.getMessage().getBody(byte[].class), StandardCharsets.US_ASCII)
                        .split("\n")));
            }
        }
        return codes;
    }

    @Test
    void should_send_batched_records_then_an_end_record_with_the_count() throws Exception {
        write(input.resolve("good.gz"), gzip("AAAAAAAA\nBBBBBBBB\nshort\nCCCCCCCC\nDDDDDDDD\nAAAAAAAA\n"));
        MockEndpoint kafka = instantiate("good");
        String runId = coordinator.tryStart("test");
        template.sendBodyAndHeader("direct:source-good", null, CouponHeaders.RUN_ID, runId);

        List<Exchange> records = kafka.getReceivedExchanges();
        assertEquals(3, records.size(), "two data records of at most 3 codes, then the end record");
        assertEquals(List.of("AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "AAAAAAAA"), codesIn(records));
        for (Exchange e : records) {
            assertEquals(runId, e.getMessage().getHeader(CouponHeaders.RUN_ID));
            assertEquals("good", e.getMessage().getHeader(CouponHeaders.SOURCE));
            assertEquals(0, e.getMessage().getHeader(KafkaConstants.PARTITION_KEY));
            e.getMessage().getHeaders().keySet().forEach(h -> assertTrue(h.startsWith("coupon")
                    || h.equals(KafkaConstants.PARTITION_KEY) || h.startsWith("CamelMock"), "no foreign header: " + h));
        }
        Exchange end = records.get(2);
        assertEquals("end", end.getMessage().getHeader(CouponHeaders.KIND));
        assertEquals("5", end.getMessage().getHeader(CouponHeaders.CODES));
        assertEquals("1", end.getMessage().getHeader(CouponHeaders.PARTITIONS));
    }

    @Test
    void should_send_an_abort_record_and_fail_the_run_on_a_bad_file() throws Exception {
        write(input.resolve("bad.gz"), "AAAAAAAA\n".getBytes(StandardCharsets.US_ASCII));
        MockEndpoint kafka = instantiate("bad");
        String runId = coordinator.tryStart("test");
        template.sendBodyAndHeader("direct:source-bad", null, CouponHeaders.RUN_ID, runId);

        List<Exchange> records = kafka.getReceivedExchanges();
        assertEquals(1, records.size());
        assertEquals("abort", records.get(0).getMessage().getHeader(CouponHeaders.KIND));
        String reason = records.get(0).getMessage().getHeader(CouponHeaders.REASON, String.class);
        assertTrue(reason.contains("bad.gz") && reason.contains("not gzip"), reason);
        assertTrue(coordinator.resultOf(runId).isDone());
        assertTrue(coordinator.resultOf(runId).get().failure().contains("not gzip"));
    }
}
