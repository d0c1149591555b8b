package dev.couponpipeline.routes;

import dev.couponpipeline.source.SourceRegistry;
import org.apache.camel.spi.PropertiesFunction;

/**
 * The {@code {{sources:topics}}} placeholder: the comma-separated topics of every configured source, resolved
 * when the aggregator route starts, after routes/*.yaml has instantiated the sources.
 */
final class SourceTopicsFunction implements PropertiesFunction {

    private final SourceRegistry sources;

    SourceTopicsFunction(SourceRegistry sources) {
        this.sources = sources;
    }

    @Override
    public String getName() {
        return "sources";
    }

    @Override
    public String apply(String remainder) {
        if (!"topics".equals(remainder)) {
            throw new IllegalArgumentException("unknown placeholder sources:" + remainder + " (known: sources:topics)");
        }
        return sources.topics();
    }
}
