package dev.couponpipeline.routes;

import static dev.couponpipeline.config.CouponHeaders.RUN_ID;
import static dev.couponpipeline.config.CouponHeaders.SOURCE;

import dev.couponpipeline.source.Source;
import dev.couponpipeline.source.SourceRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.RouteTemplateContext;
import org.apache.camel.builder.RouteBuilder;

/**
 * The {@code gzip-source} route template: one route per source file, instantiated from {@code routes/*.yaml}.
 * It streams the file through the code extractor into batched Kafka records on the source's topic, then one
 * end-of-source record per partition with the number of codes sent; on any failure, an abort record.
 */
public class IngestRoutes extends RouteBuilder {

    public static final String TEMPLATE = "gzip-source";

    @BeanInject("sources")
    SourceRegistry sources;

    @Override
    public void configure() {
        routeTemplate(TEMPLATE)
                .templateParameter("name", null, "Source id; the sorted ids fix each source's bit")
                .templateParameter("file", null, "Gzip file, relative to coupon.input-dir or absolute")
                .templateOptionalParameter("topic", "Kafka topic (default: the file name)")
                .configure(this::register)
                .from("direct:source-{{name}}")
                    .routeId("source-{{name}}")
                    .removeHeaders("*", RUN_ID)
                    .setHeader(SOURCE, constant("{{name}}"))
                    .setProperty("couponSourceFile", constant("{{file}}"))
                    .doTry()
                        .bean("sourceIngest", "open")
                        .split(method("sourceIngest", "records")).streaming().stopOnException()
                            .to("kafka:{{topic}}")
                        .end()
                        .split(method("sourceIngest", "endRecords")).stopOnException()
                            .to("kafka:{{topic}}")
                        .end()
                        .bean("sourceIngest", "finished")
                    .endDoTry()
                    .doCatch(Exception.class)
                        .bean("sourceIngest", "failed")
                        .to("kafka:{{topic}}")
                    .end();
    }

    private void register(RouteTemplateContext rtc) {
        String name = (String) rtc.getParameters().get("name");
        String file = (String) rtc.getParameters().get("file");
        Object topic = rtc.getParameters().get("topic");
        if (topic == null || topic.toString().isBlank()) {
            topic = file.replace('/', '_');
            rtc.setParameter("topic", topic);
        }
        sources.register(new Source(name, file, topic.toString()));
    }
}
