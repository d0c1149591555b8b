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

    /** How long an attempt waits for the slot a failed run still holds. */
    static final java.time.Duration SLOT_WAIT = java.time.Duration.ofMinutes(10);

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
        if (publishedSince(failed)) {
            LOG.info("Retry of run {} not needed: run {} was published since", failed, coordinator.lastPublished());
            coordinator.retryChainEnded();
            return;
        }
        String runId = startOrJoin();
        LOG.info("Retry {} of run {}: run {}", attempt, failed, runId);
        RunResult result = coordinator.resultOf(runId).get();
        if (coordinator.deservesRetry(result) && !publishedSince(failed)) {
            throw new Failed(
                    "run " + runId + " (retry " + attempt + " of run " + failed + ") failed: " + result.failure());
        }
        coordinator.retryChainEnded();
    }

    /**
     * Starts a run; when one is in flight (another trigger's) it stands in for this attempt. A failed run keeps
     * the slot until its sources have stopped (their last sends may still be timing out): waited for, at most
     * {@link #SLOT_WAIT}.
     */
    private String startOrJoin() throws InterruptedException, Failed {
        long deadline = System.nanoTime() + SLOT_WAIT.toNanos();
        while (true) {
            String runId = template.requestBodyAndHeader(
                    "direct:start-run", null, TRIGGER, RunCoordinator.RETRY, String.class);
            if (runId != null) {
                return runId;
            }
            Optional<String> inFlight = coordinator.runInFlight();
            if (inFlight.isPresent()) {
                return inFlight.get();
            }
            if (System.nanoTime() > deadline) {
                throw new Failed("the last failed run's sources did not stop within " + SLOT_WAIT.toMinutes()
                        + " min: no retry could start");
            }
            Thread.sleep(200);
        }
    }

    private boolean publishedSince(String failed) {
        String published = coordinator.lastPublished();
        return published != null && published.compareTo(failed) > 0;
    }
}
