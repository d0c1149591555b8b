package dev.couponpipeline.produce;

import static dev.couponpipeline.files.GzipFixtures.gzip;
import static dev.couponpipeline.files.GzipFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.aggregate.RangeReader;
import dev.couponpipeline.boot.EmbeddedKafka;
import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.files.SourceRegistry;
import dev.couponpipeline.ops.PipelineMetrics;
import dev.couponpipeline.records.ControlRecord;
import dev.couponpipeline.run.CouponHeaders;
import dev.couponpipeline.run.Roles;
import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.testing.Records;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves a gzip-source route sends every code of its file to its topic on a real broker, then one control record
 * per partition whose offset range and counts hold exactly those codes; or abort records when the file is bad.
 */
class SourceRoutesIT extends CamelTestSupport {

    private static final int PARTITIONS = 2;

    @TempDir
    static Path input;

    private static EmbeddedKafka kafka;
    private static KafkaClients clients;

    private final SourceRegistry sources = new SourceRegistry();
    private final RunCoordinator coordinator = new RunCoordinator(Clock.systemUTC(), Duration.ofMinutes(1));
    /** What reached the control topic, in order. */
    private final List<Message> control = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startBroker(@TempDir Path dir) throws Exception {
        kafka = EmbeddedKafka.start(dir, 0);
        KafkaConfiguration config = new KafkaConfiguration();
        config.setBrokers(kafka.bootstrapServers());
        clients = new KafkaClients(config);
        try (Admin admin = clients.admin()) {
            admin.createTopics(List.of(
                            new NewTopic("topic-good", PARTITIONS, (short) 1),
                            new NewTopic("topic-cut", PARTITIONS, (short) 1),
                            new NewTopic("bad.gz", PARTITIONS, (short) 1)))
                    .all()
                    .get();
        }
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("sources", sources);
        registry.bind(
                "sourceSender",
                new SourceSender(
                        CodePattern.defaultPattern(),
                        input,
                        PARTITIONS,
                        3,
                        true,
                        sources,
                        clients,
                        coordinator,
                        new PipelineMetrics(new SimpleMeterRegistry(), Clock.systemUTC()),
                        dev.couponpipeline.publish.RunHistory.none()));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        SourceRoutes routes = new SourceRoutes();
        routes.sources = sources;
        routes.roles = new Roles(false, false, false); // the template only: topics are made above
        return routes;
    }

    private void capture(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        Iterator<?> it = body instanceof Iterable<?> i
                ? i.iterator()
                : List.of(exchange.getMessage()).iterator();
        it.forEachRemaining(m -> control.add((Message) m));
    }

    /** An instance of the template; without {@code topic}, as operators may write it. */
    private void instantiate(String name, String topic) throws Exception {
        TemplatedRouteBuilder b = TemplatedRouteBuilder.builder(context, SourceRoutes.TEMPLATE)
                .routeId("source-" + name)
                .parameter("name", name)
                .parameter("file", name + ".gz");
        if (topic != null) {
            b.parameter("topic", topic);
        }
        b.add();
        AdviceWith.adviceWith(
                context,
                "source-" + name,
                a -> a.weaveByToUri("kafka:*").replace().process(this::capture));
        context.start();
    }

    private List<ControlRecord> controlRecords() {
        List<ControlRecord> out = new ArrayList<>();
        for (Message m : control) {
            ControlRecord r = ControlRecord.parse(m.getBody(byte[].class));
            assertEquals(r.partition(), m.getHeader(KafkaConstants.PARTITION_KEY), "to its own control partition");
            out.add(r);
        }
        return out;
    }

    /** The codes in Kafka at the ranges the control records name, read back as the aggregator reads them. */
    private List<String> codesAt(String runId, List<ControlRecord> ends) {
        List<String> codes = new ArrayList<>();
        try (RangeReader reader =
                new RangeReader(clients.consumer(Map.of("auto.offset.reset", "none")), Duration.ofSeconds(30))) {
            for (ControlRecord end : ends) {
                long[] records = reader.read(
                        runId,
                        List.of(new RangeReader.Range(0, end.topic(), end.partition(), end.first(), end.last())),
                        1,
                        (s, value) -> codes.addAll(Records.codesOf(bytes(value))));
                assertEquals(end.records(), records[0], "records in the range");
            }
        }
        return codes;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void should_send_every_code_then_control_records_naming_exactly_their_ranges() throws Exception {
        write(input.resolve("good.gz"), gzip("AAAAAAAA\nBBBBBBBB\nshort\nCCCCCCCC\nDDDDDDDD\nAAAAAAAA\nEEEEEEEE\n"));
        instantiate("good", "topic-good");
        String runId = coordinator.tryStart("test");
        template.sendBodyAndHeader("direct:source-good", null, CouponHeaders.RUN_ID, runId);

        List<ControlRecord> ends = controlRecords();
        assertEquals(PARTITIONS, ends.size(), "one control record per partition");
        long codes = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            ControlRecord end = ends.get(p);
            assertEquals(ControlRecord.END, end.kind());
            assertEquals(runId, end.run());
            assertEquals("good", end.source());
            assertEquals("topic-good", end.topic());
            assertEquals(p, end.partition());
            assertEquals(PARTITIONS, end.partitions());
            codes += end.codes();
        }
        assertEquals(6, codes, "every code counted once, 'short' is no code");
        List<String> read = codesAt(runId, ends);
        Collections.sort(read);
        assertEquals(List.of("AAAAAAAA", "AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE"), read);
    }

    @Test
    void should_abort_on_every_partition_when_the_file_is_truncated() throws Exception {
        byte[] gz = gzip("AAAAAAAA\nBBBBBBBB\n".repeat(100_000));
        write(input.resolve("cut.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        instantiate("cut", "topic-cut");
        String runId = coordinator.tryStart("test");
        template.sendBodyAndHeader("direct:source-cut", null, CouponHeaders.RUN_ID, runId);

        List<ControlRecord> records = controlRecords();
        assertEquals(PARTITIONS, records.size());
        for (ControlRecord r : records) {
            assertTrue(r.isAbort(), "never an end record: " + r);
            assertTrue(r.reason().contains("cut.gz") && r.reason().contains("truncated"), r.reason());
        }
        assertTrue(coordinator.resultOf(runId).get().failure().contains("truncated"));
    }

    @Test
    void should_abort_and_fail_the_run_on_a_bad_file_with_the_topic_defaulting_to_the_file_name() throws Exception {
        write(input.resolve("bad.gz"), "AAAAAAAA\n".getBytes(StandardCharsets.US_ASCII));
        instantiate("bad", null);
        assertEquals("bad.gz", sources.byId("bad").topic());
        String runId = coordinator.tryStart("test");
        template.sendBodyAndHeader("direct:source-bad", null, CouponHeaders.RUN_ID, runId);

        List<ControlRecord> records = controlRecords();
        assertEquals(PARTITIONS, records.size());
        assertTrue(records.stream().allMatch(ControlRecord::isAbort));
        String reason = records.get(0).reason();
        assertTrue(reason.contains("bad.gz") && reason.contains("not gzip"), reason);
        assertTrue(coordinator.resultOf(runId).isDone());
        assertTrue(coordinator.resultOf(runId).get().failure().contains("not gzip"));
    }
}
