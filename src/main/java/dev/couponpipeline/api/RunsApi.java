package dev.couponpipeline.api;

import static dev.couponpipeline.api.HttpAnswer.answer;

import dev.couponpipeline.ops.PipelineMetrics;
import dev.couponpipeline.publish.LiveSetPublisher;
import dev.couponpipeline.publish.LiveSetPublisher.Outcome;
import dev.couponpipeline.publish.LiveSetPublisher.Status;
import dev.couponpipeline.publish.RunHistory;
import dev.couponpipeline.run.RunResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run history and the held run over HTTP: {@code GET /runs}, {@code GET /runs/{id}},
 * {@code POST /runs/{id}/publish} (swap a held run) and {@code DELETE /runs/{id}} (discard it). Bodies are maps
 * the REST binding turns into JSON.
 */
public final class RunsApi {

    private static final Logger LOG = LoggerFactory.getLogger(RunsApi.class);

    private final RunHistory history;
    private final LiveSetPublisher publisher;
    private final PipelineMetrics metrics;
    private final int defaultLimit;

    public RunsApi(RunHistory history, LiveSetPublisher publisher, PipelineMetrics metrics, int defaultLimit) {
        this.history = history;
        this.publisher = publisher;
        this.metrics = metrics;
        this.defaultLimit = defaultLimit;
    }

    /** {@code GET /runs[?limit=N]}: the newest runs first. */
    public void list(Exchange exchange) {
        Message m = exchange.getMessage();
        int limit = defaultLimit;
        String asked = m.getHeader("limit", String.class);
        if (asked != null && !asked.isBlank()) {
            try {
                limit = Math.max(1, Math.min(defaultLimit, Integer.parseInt(asked.trim())));
            } catch (NumberFormatException e) {
                answer(
                        m,
                        400,
                        Problem.of(400, "bad-limit", "Not a limit", "limit must be a number, not '" + asked + "'"));
                return;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("held", publisher.heldRun().get("runId"));
        out.put("runs", history.list(limit));
        answer(m, 200, out);
    }

    /** {@code GET /runs/{id}}: one run with its parts, or 404. */
    public void get(Exchange exchange) {
        Message m = exchange.getMessage();
        String id = m.getHeader("id", String.class);
        Map<String, Object> run = history.get(id);
        if (run == null) {
            answer(
                    m,
                    404,
                    Problem.of(
                            404,
                            "no-such-run",
                            "No such run",
                            "no run " + id + " in the history (it keeps the newest runs)",
                            "runId",
                            id));
        } else {
            answer(m, 200, run);
        }
    }

    /** {@code POST /runs/{id}/publish}: swaps the held run; 409 when it is not the run held. */
    public void publish(Exchange exchange) {
        Message m = exchange.getMessage();
        String id = m.getHeader("id", String.class);
        Outcome o = publisher.release(id);
        if (o.status() == Status.SWAPPED) {
            LOG.warn(
                    "Run {} was held and is now published by an operator: {} valid codes, {} added, {} removed",
                    id,
                    o.validCodes(),
                    o.added(),
                    o.removed());
            metrics.runEnded(new RunResult(
                    id,
                    true,
                    null,
                    o.codesPerSource(),
                    o.validCodes(),
                    o.distinctCodes(),
                    0,
                    Duration.ZERO,
                    null,
                    o.added(),
                    o.removed()));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("runId", id);
            out.put("state", "published");
            out.put("validCodes", o.validCodes());
            out.put("added", o.added());
            out.put("removed", o.removed());
            answer(m, 200, out);
        } else {
            answer(m, 409, notHeld(id));
        }
    }

    /** {@code DELETE /runs/{id}}: discards the held run and its staged set; 409 when it is not the run held. */
    public void discard(Exchange exchange) {
        Message m = exchange.getMessage();
        String id = m.getHeader("id", String.class);
        if (publisher.discardHeld(id)) {
            LOG.warn("Held run {} discarded by an operator; the live set is unchanged", id);
            answer(m, 200, Map.of("runId", id, "state", "discarded"));
        } else {
            answer(m, 409, notHeld(id));
        }
    }

    private Map<String, Object> notHeld(String id) {
        return Problem.of(
                409,
                "not-held",
                "Run not held",
                "run " + id + " is not held (only the newest held run can be published or discarded)",
                "runId",
                id,
                "held",
                publisher.heldRun().get("runId"),
                "state",
                history.stateOf(id));
    }
}
