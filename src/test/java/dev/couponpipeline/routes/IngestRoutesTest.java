package dev.couponpipeline.routes;

import static dev.couponpipeline.source.GzipFixtures.gzip;
import static dev.couponpipeline.source.GzipFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.config.CouponHeaders;
import dev.couponpipeline.metrics.PipelineMetrics;
import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.config.Roles;
import dev.couponpipeline.source.SourceRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Iterator;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
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
        routes.roles = new Roles(false, false, false); // no broker here: the template only, no topic setup
        return routes;
    }

    /** What reached Kafka: every message of an iterable body, as the Kafka producer sends them. */
    private final List<Message> sent = new ArrayList<>();

    private void send(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        Iterator<?> it = body instanceof Iterable<?> i ? i.iterator() : body instanceof Iterator<?> i ? i : null;
        if (it == null) {
            sent.add(exchange.getMessage().copy());
            return;
        }
        it.forEachRemaining(m -> sent.add((Message) m));
    }

    private void instantiate(String name) throws Exception {
        TemplatedRouteBuilder.builder(context, IngestRoutes.TEMPLATE)
                .routeId("source-" + name)
                .parameter("name", name)
                .parameter("file", name + ".gz")
                .parameter("topic", "topic-" + name)
                .add();
        AdviceWith.adviceWith(context, "source-" + name, a -> a.weaveByToUri("kafka:*").replace().process(this::send));
        context.start();
    }

    private static List<String> codesIn(List<Message> records) {
        List<String> codes = new ArrayList<>();
        for (Message m : records) {
            if ("data".equals(m.getHeader(CouponHeaders.KIND))) {
                codes.addAll(Arrays.asList(new String(m.getBody(byte[].class), StandardCharsets.US_ASCII).split("\n")));
            }
        }
        return codes;
    }

    @Test
    void should_send_batched_records_then_an_end_record_with_the_count() throws Exception {
        write(input.resolve("good.gz"), gzip("AAAAAAAA\nBBBBBBBB\nshort\nCCCCCCCC\nDDDDDDDD\nAAAAAAAA\n"));
        instantiate("good");
        String runId = coordinator.tryStart("test");
        template.sendBodyAndHeader("direct:source-good", null, CouponHeaders.RUN_ID, runId);

        List<Message> records = sent;
        assertEquals(3, records.size(), "two data records of at most 3 codes, then the end record");
        assertEquals(List.of("AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "AAAAAAAA"), codesIn(records));
        for (Message m : records) {
            assertEquals(runId, m.getHeader(CouponHeaders.RUN_ID));
            assertEquals("good", m.getHeader(CouponHeaders.SOURCE));
            assertEquals(0, m.getHeader(KafkaConstants.PARTITION_KEY));
            m.getHeaders().keySet().forEach(h -> assertTrue(h.startsWith("coupon")
                    || h.equals(KafkaConstants.PARTITION_KEY), "no foreign header: " + h));
        }
        Message end = records.get(2);
        assertEquals("end", end.getHeader(CouponHeaders.KIND));
        assertEquals("5", end.getHeader(CouponHeaders.CODES));
        assertEquals("1", end.getHeader(CouponHeaders.PARTITIONS));
    }

    @Test
    void should_abort_after_the_records_already_sent_when_the_file_is_truncated() throws Exception {
        byte[] gz = gzip("AAAAAAAA\n".repeat(100_000));
        write(input.resolve("cut.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        instantiate("cut");
        String runId = coordinator.tryStart("test");
        template.sendBodyAndHeader("direct:source-cut", null, CouponHeaders.RUN_ID, runId);

        Message last = sent.get(sent.size() - 1);
        assertTrue(sent.size() > 1, "records before the damage were sent");
        assertEquals("abort", last.getHeader(CouponHeaders.KIND));
        assertTrue(last.getHeader(CouponHeaders.REASON, String.class).contains("truncated"));
        assertTrue(sent.stream().noneMatch(m -> "end".equals(m.getHeader(CouponHeaders.KIND))), "never an end record");
    }

    @Test
    void should_send_an_abort_record_and_fail_the_run_on_a_bad_file() throws Exception {
        write(input.resolve("bad.gz"), "AAAAAAAA\n".getBytes(StandardCharsets.US_ASCII));
        instantiate("bad");
        String runId = coordinator.tryStart("test");
        template.sendBodyAndHeader("direct:source-bad", null, CouponHeaders.RUN_ID, runId);

        assertEquals(1, sent.size());
        assertEquals("abort", sent.get(0).getHeader(CouponHeaders.KIND));
        String reason = sent.get(0).getHeader(CouponHeaders.REASON, String.class);
        assertTrue(reason.contains("bad.gz") && reason.contains("not gzip"), reason);
        assertTrue(coordinator.resultOf(runId).isDone());
        assertTrue(coordinator.resultOf(runId).get().failure().contains("not gzip"));
    }
}
