package dev.couponpipeline.produce;

import static dev.couponpipeline.run.CouponHeaders.TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.run.Roles;
import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.run.RunResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The run-retry route on a real Camel context, with a stand-in for {@code direct:start-run} whose runs end as a
 * script says: a failure outside the input is retried after a delay that doubles, up to max-attempts runs; a
 * published run or a bad file ends the chain.
 */
class RunRetryRoutesTest {

    private static final long UNIT_MS = 40;

    private final DefaultCamelContext context = new DefaultCamelContext();
    private final RunCoordinator coordinator = new RunCoordinator(Clock.systemUTC(), Duration.ofMinutes(5), true, true);
    /** When each retry run started, ms since the first failure. */
    private final List<Long> retryStarts = Collections.synchronizedList(new ArrayList<>());

    private long failedAt;

    /** Starts the context: runs started by retries end as {@code outcomes} says, in turn. */
    private void start(int maxAttempts, List<String> outcomes) throws Exception {
        context.getRegistry().bind("roles", new Roles(true, true, true));
        context.getRegistry().bind("runCoordinator", coordinator);
        List<String> script = Collections.synchronizedList(new ArrayList<>(outcomes));
        // a lambda, not a RouteBuilder subclass: camel-main's package scan would pick a class up in other tests
        RouteBuilder.addRoutes(
                context,
                rb -> rb.from("direct:start-run").process(e -> {
                    String runId = coordinator.tryStart(e.getMessage().getHeader(TRIGGER, String.class));
                    e.getMessage().setBody(runId);
                    retryStarts.add(System.currentTimeMillis() - failedAt);
                    String outcome = script.isEmpty() ? "published" : script.remove(0);
                    CompletableFuture.runAsync(
                            () -> end(runId, outcome), CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS));
                }));
        RunRetryRoutes retries = new RunRetryRoutes();
        retries.roles = new Roles(true, true, true);
        retries.coordinator = coordinator;
        retries.maxAttempts = maxAttempts;
        retries.delaySeconds = 1;
        retries.delayUnitMs = UNIT_MS;
        context.addRoutes(retries);
        // a chain may still wait out a delay when a case ends: no need to let it finish
        context.getShutdownStrategy().setTimeout(1);
        context.start();
    }

    private void end(String runId, String outcome) {
        switch (outcome) {
            case "published" -> {
                coordinator.sourcesStopped(runId, true);
                coordinator.finish(new RunResult(runId, true, null, Map.of(), 1, 1, 1, Duration.ZERO));
            }
            case "bad-file" -> {
                coordinator.sourceFailed(runId, "source a: a.gz: not gzip data", true);
                coordinator.sourcesStopped(runId, false);
            }
            default -> {
                coordinator.sourceFailed(runId, "source a: Kafka did not take the records", false);
                coordinator.sourcesStopped(runId, false);
            }
        }
    }

    /** A scheduled run fails because Kafka is away: what starts the chain. */
    private void firstRunFails() {
        failedAt = System.currentTimeMillis();
        end(coordinator.tryStart("schedule"), "kafka");
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void should_retry_with_a_doubling_delay_until_a_run_publishes() throws Exception {
        start(3, List.of("kafka", "kafka"));
        firstRunFails();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> retryStarts.size() == 3
                        && coordinator.lastResult().map(RunResult::published).orElse(false));
        List<Long> at = List.copyOf(retryStarts);
        // retry 1 after one delay, retry 2 two delays after retry 1 ended, retry 3 four after retry 2
        assertTrue(at.get(0) >= UNIT_MS, at.toString());
        assertTrue(at.get(1) - at.get(0) >= 2 * UNIT_MS, at.toString());
        assertTrue(at.get(2) - at.get(1) >= 4 * UNIT_MS, at.toString());
    }

    @Test
    void should_stop_after_max_attempts_runs_in_a_row() throws Exception {
        start(2, List.of("kafka", "kafka", "kafka"));
        firstRunFails();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> retryStarts.size() == 2);
        // no third retry: the next one would have come 4 delays later
        Awaitility.await()
                .during(Duration.ofMillis(8 * UNIT_MS))
                .atMost(Duration.ofSeconds(5))
                .until(() -> retryStarts.size() == 2);
        assertTrue(coordinator.deservesRetry(coordinator.lastResult().orElseThrow()), "the last retry failed");
    }

    @Test
    void should_end_the_chain_on_a_bad_file() throws Exception {
        start(3, List.of("bad-file"));
        firstRunFails();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> retryStarts.size() == 1
                        && coordinator
                                .lastResult()
                                .map(r -> !r.published() && r.failure() != null)
                                .orElse(false)
                        && !coordinator
                                .lastResult()
                                .orElseThrow()
                                .runId()
                                .equals(coordinator.activeRunId().orElse("")));
        Awaitility.await()
                .during(Duration.ofMillis(8 * UNIT_MS))
                .atMost(Duration.ofSeconds(5))
                .until(() -> retryStarts.size() == 1);
        assertEquals(1, retryStarts.size());
    }
}
