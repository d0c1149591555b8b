package dev.couponpipeline.files;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The sources instantiated from the {@code gzip-source} route template (one per file in {@code routes/}). Sorted
 * by id, which fixes each source's bit in the aggregator's mask.
 *
 * <p>The sources are discovered on first use from a supplier (the route model), because templated routes from
 * operator files are added to the model after the Java routes that need to know them.
 */
public final class SourceRegistry {

    private final List<Source> sources = new ArrayList<>();
    private Supplier<List<Source>> discovery;
    private boolean discovered;

    /** Where to find the sources when they are first needed. */
    public synchronized void discoverWith(Supplier<List<Source>> discovery) {
        this.discovery = discovery;
        this.discovered = false;
    }

    private void discover() {
        if (!discovered && discovery != null) {
            discovered = true;
            discovery.get().forEach(this::register);
        }
    }

    public synchronized void register(Source source) {
        for (Source s : sources) {
            if (s.id().equals(source.id())) {
                throw new IllegalArgumentException("two sources are named '" + source.id() + "' in routes/");
            }
            if (s.topic().equals(source.topic())) {
                throw new IllegalArgumentException(
                        "sources '" + s.id() + "' and '" + source.id() + "' both use topic " + source.topic());
            }
        }
        sources.add(source);
        sources.sort(Comparator.comparing(Source::id));
    }

    public synchronized List<Source> all() {
        discover();
        return List.copyOf(sources);
    }

    public synchronized List<String> ids() {
        discover();
        return sources.stream().map(Source::id).toList();
    }

    /** The source with id {@code id}. */
    public synchronized Source byId(String id) {
        discover();
        for (Source s : sources) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no source '" + id + "' in routes/ (known: " + ids() + ")");
    }

    /** Comma-separated topics of all sources: what the aggregator subscribes to. */
    public synchronized String topics() {
        discover();
        if (sources.isEmpty()) {
            throw new IllegalStateException("no sources are configured: add gzip-source instances to routes/*.yaml");
        }
        return sources.stream().map(Source::topic).collect(Collectors.joining(","));
    }

    /** The endpoints of every source route, for the run's recipient list. */
    public synchronized List<String> endpoints() {
        discover();
        return sources.stream().map(s -> "direct:source-" + s.id()).toList();
    }

    public synchronized int size() {
        discover();
        return sources.size();
    }
}
