package dev.couponpipeline.aggregate;

import dev.couponpipeline.files.SourceRegistry;
import dev.couponpipeline.records.ControlRecord;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;

/**
 * Folds the control records of one part of a run (correlated by run id and partition) into its {@link PartEnds}:
 * a bitmask of the sources that have ended the partition and where their records are. The part is complete when
 * every source has ended it, or finished early when one aborted. The state is the aggregated exchange's body: it
 * lives exactly as long as the aggregation group.
 */
public final class PartEndsStrategy implements AggregationStrategy {

    private final SourceRegistry sources;

    public PartEndsStrategy(SourceRegistry sources) {
        this.sources = sources;
    }

    /** The correlation key: one aggregation group per run and partition. */
    public static String groupOf(ControlRecord r) {
        return r.run() + "/" + r.partition();
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        ControlRecord r = newExchange.getMessage().getBody(ControlRecord.class);
        if (oldExchange == null) {
            PartEnds part = new PartEnds(r.run(), r.partition(), sources.ids());
            part.add(r);
            newExchange.getMessage().setBody(part);
            return newExchange;
        }
        oldExchange.getMessage().getBody(PartEnds.class).add(r);
        return oldExchange;
    }

    /** Completion predicate: every source ended the part, or it can never complete. */
    public Predicate partFinished() {
        return exchange -> exchange.getMessage().getBody(PartEnds.class).isFinished();
    }
}
