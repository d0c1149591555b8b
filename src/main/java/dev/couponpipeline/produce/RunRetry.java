package dev.couponpipeline.produce;

import static dev.couponpipeline.run.CouponHeaders.TRIGGER;

import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.run.RunResult;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of the run-retry route: starts a run (trigger {@code retry}) and waits for how it ends. A failure a
 * retry may cure is thrown as {@link Failed}, which the route's redelivery policy answers with the next attempt
 * after a growing delay; a published run, or a failure on a bad file, ends the chain.
 */
public final class RunRetry {

    private static final Logger LOG = LoggerFactory.getLogger(RunRetry.class);

    /** The run an attempt started failed again for a reason outside its input. */
    public static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    private final RunCoordinator coordinator;
    private final ProducerTemplate template;

    public RunRetry(RunCoordinator coordinator, ProducerTemplate template) {
        this.coordinator = coordinator;
        this.template = template;
    }

    /** Body: the id of the run that failed first. */
    public void attempt(Exchange exchange) throws Exception {
        String failed = exchange.getMessage().getBody(String.class);
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1;
        String runId =
                template.requestBodyAndHeader("direct:start-run", null, TRIGGER, RunCoordinator.RETRY, String.class);
        if (runId == null) {
            // another trigger's run is in flight: it stands in for this attempt
            Optional<String> active = coordinator.activeRunId();
            if (active.isEmpty()) {
                LOG.info("Retry {} of run {}: no run started", attempt, failed);
                return;
            }
            runId = active.get();
        }
        LOG.info("Retry {} of run {}: run {}", attempt, failed, runId);
        RunResult result = coordinator.resultOf(runId).get();
        if (coordinator.deservesRetry(result)) {
            throw new Failed(
                    "run " + runId + " (retry " + attempt + " of run " + failed + ") failed: " + result.failure());
        }
    }
}
