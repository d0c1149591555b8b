package dev.couponpipeline.api;

import static dev.couponpipeline.api.HttpAnswer.answer;

import dev.couponpipeline.aggregate.RunReplay;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /runs/{id}/replay} and the live-set watch's restore: a run rebuilt from Kafka ({@link RunReplay}),
 * or, when Kafka no longer holds all of it, from the files (the route sends the trigger on to {@code start-run}).
 */
public final class ReplayApi {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayApi.class);

    /** Header: why the run cannot be replayed from Kafka (the route then reads the files). */
    public static final String FALLBACK = "couponReplayFallback";

    private final RunReplay replay;
    private final dev.couponpipeline.publish.LiveSetWatch watch;

    public ReplayApi(RunReplay replay, dev.couponpipeline.publish.LiveSetWatch watch) {
        this.replay = replay;
        this.watch = watch;
    }

    /** Replays run {@code id} from Kafka (202), or sets {@link #FALLBACK} for the route to read the files. */
    public void replay(Exchange exchange) {
        Message m = exchange.getMessage();
        String id = m.getHeader("id", String.class);
        RunReplay.Plan plan;
        try {
            plan = replay.plan(id);
        } catch (RuntimeException e) {
            answer(
                    m,
                    503,
                    Problem.of(
                            503,
                            "kafka-unavailable",
                            "Kafka unavailable",
                            "the control topic could not be read: " + dev.couponpipeline.run.Errors.rootMessage(e)));
            return;
        }
        if (plan.unknown()) {
            // nothing of it on Kafka: reading today's files would not be a replay of it
            answer(m, 404, Problem.of(404, "no-such-run", "No such run", plan.refusal(), "runId", id));
            return;
        }
        if (!plan.replayable()) {
            LOG.warn("POST /runs/{}/replay: {}; reading the files instead", id, plan.refusal());
            m.setHeader(FALLBACK, plan.refusal());
            return;
        }
        String runId = replay.start(plan, "replay");
        if (runId == null) {
            answer(m, 409, Problem.of(409, "run-in-flight", "A run is in flight", "a run is already in flight"));
        } else {
            answer(m, 202, started(runId, id, "kafka", null));
        }
    }

    /** The answer once {@code start-run} has started the run from the files (body: its id, or null). */
    public void fellBack(Exchange exchange) {
        Message m = exchange.getMessage();
        String runId = m.getBody(String.class);
        String reason = m.getHeader(FALLBACK, String.class);
        String id = m.getHeader("id", String.class);
        if (runId == null) {
            answer(m, 409, Problem.of(409, "run-in-flight", "A run is in flight", "a run is already in flight"));
        } else {
            answer(m, 202, started(runId, id, "files", reason));
        }
    }

    /**
     * For the live-set watch: rebuilds the run this process last saw live from Kafka when it can; true when it
     * cannot (no run seen live here, Kafka no longer holds it all) and the files must be read. False, too, when
     * Kafka does not answer: a run on the files could not send its records either; the watch tries again.
     */
    public boolean restoreNeedsFiles() {
        String live = watch.lastLiveRunId();
        if (live == null) {
            LOG.warn("The live set is missing, and this process never saw which run was live: reading the files");
            return true;
        }
        try {
            RunReplay.Plan plan = replay.plan(live);
            if (!plan.replayable()) {
                LOG.warn(
                        "The live set (run {}) is missing and cannot be rebuilt from Kafka ({}): reading the files",
                        live,
                        plan.refusal());
                return true;
            }
            String runId = replay.start(plan, "live-set-missing");
            if (runId != null) {
                LOG.warn("The live set is missing: run {} rebuilds run {} from Kafka", runId, live);
            }
            return false;
        } catch (RuntimeException e) {
            LOG.warn(
                    "The live set (run {}) is missing and Kafka could not replay it ({}); trying again later",
                    live,
                    e.getMessage());
            return false;
        }
    }

    private static Map<String, Object> started(String runId, String replayOf, String from, String reason) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runId", runId);
        out.put("status", "started");
        out.put("replayOf", replayOf);
        out.put("from", from);
        if (reason != null) {
            out.put("reason", reason);
        }
        return out;
    }
}
