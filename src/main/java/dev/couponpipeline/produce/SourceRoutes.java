package dev.couponpipeline.produce;

import static dev.couponpipeline.run.CouponHeaders.RUN_ID;
import static dev.couponpipeline.run.CouponHeaders.SOURCE;

import dev.couponpipeline.files.Source;
import dev.couponpipeline.files.SourceRegistry;
import dev.couponpipeline.run.Roles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;

/**
 * The {@code gzip-source} route template: one route per source file, instantiated from {@code routes/*.yaml}.
 * It streams the file through the code extractor into batched Kafka records on the source's topic, then one
 * control record per partition saying where those records are and how many codes they hold; on any failure, abort
 * records instead.
 */
public class SourceRoutes extends RouteBuilder {

    public static final String TEMPLATE = "gzip-source";
    /** Where sources say what they sent (or that they failed), one record per partition. */
    static final String CONTROL_TOPIC =
            "kafka:{{coupon.kafka.control-topic}}?recordMetadata=false&batchWithIndividualHeaders=true";

    @BeanInject("sources")
    SourceRegistry sources;

    @BeanInject("roles")
    Roles roles;

    @Override
    public void configure() throws Exception {
        // spotless:off
        sources.discoverWith(this::instances);
        if (roles.needsKafka()) {
            // the topics must exist before anyone produces or subscribes (brokers here never auto-create them)
            getContext().addStartupListener((context, alreadyStarted) -> {
                if (!alreadyStarted) {
                    KafkaReadiness embedded = context.getRegistry().lookupByNameAndType(KafkaReadiness.BEAN,
                            KafkaReadiness.class);
                    if (embedded != null) {
                        embedded.awaitKafka(); // it starts while Camel boots
                    }
                    context.getRegistry().lookupByNameAndType("topicSetup", TopicSetup.class)
                            .ensure(sources.all().stream().map(Source::topic).toList());
                }
            });
        }

        routeTemplate(TEMPLATE)
                .templateParameter("name", null, "Source id; the sorted ids fix each source's bit")
                .templateParameter("file", null, "Gzip file, relative to coupon.input-dir or absolute")
                .templateOptionalParameter("topic", "Kafka topic (default: the file name)")
                .from("direct:source-{{name}}")
                    .removeHeaders("*", RUN_ID)
                    .setHeader(SOURCE, constant("{{name}}"))
                    .doTry()
                        // every code of the file to the source's topic; returns once Kafka has acknowledged all
                        .bean("sourceSender", "send")
                        // then, per partition, where those records are: what the aggregator waits for
                        .setBody(method("sourceSender", "endRecords"))
                        .to(CONTROL_TOPIC)
                        .bean("sourceSender", "finished")
                    .doCatch(Exception.class)
                        .bean("sourceSender", "failed")
                        .to(CONTROL_TOPIC)
                    .end();
        // spotless:on
    }

    static String topicFor(String file) {
        return Path.of(file).getFileName().toString();
    }

    /** The sources: every route created from this template, with its parameters. */
    private List<Source> instances() {
        List<Source> found = new ArrayList<>();
        for (RouteDefinition route : ((ModelCamelContext) getContext()).getRouteDefinitions()) {
            Map<String, Object> params = route.getTemplateParameters();
            if (route.isCreatedFromTemplate()
                    && params != null
                    && route.getInput().getEndpointUri().startsWith("direct:source-")) {
                String file = String.valueOf(params.get("file"));
                Object topic = params.get("topic");
                found.add(new Source(
                        String.valueOf(params.get("name")),
                        file,
                        topic == null || topic.toString().isBlank() ? topicFor(file) : topic.toString()));
            }
        }
        return found;
    }
}
