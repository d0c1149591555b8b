package dev.couponpipeline.boot;

import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.run.RunResult;
import java.io.PrintStream;
import java.util.Map;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * {@code --once}: starts exactly one run when Camel is up, waits until it is published or fails, prints the
 * one-line summary (stdout) or the reason (stderr), and stops the application with the matching exit code.
 */
final class OnceMode extends MainListenerSupport {

    private final Main main;
    private final PrintStream out;
    private final PrintStream err;
    /** Exit code of a run the guard before the swap held: staged, not live; neither a success nor a failure. */
    static final int HELD = 3;

    private volatile int exitCode = 1;
    private volatile String message = "coupon-pipeline: the run did not finish";

    OnceMode(Main main, PrintStream out, PrintStream err) {
        this.main = main;
        this.out = out;
        this.err = err;
    }

    /** No schedule and no start-up run; the HTTP server takes any free port so it never collides. */
    static Map<String, String> overrides() {
        return Map.of(
                "coupon.schedule.enabled", "false",
                "coupon.schedule.run-on-start", "false",
                "coupon.run.retry.max-attempts", "0",
                "coupon.http.port", "0");
    }

    @Override
    public void afterStart(BaseMainSupport base) {
        RunCoordinator coordinator =
                main.getCamelContext().getRegistry().lookupByNameAndType("runCoordinator", RunCoordinator.class);
        Thread waiter = new Thread(
                () -> {
                    try {
                        String runId = main.getCamelContext()
                                .createProducerTemplate()
                                .requestBodyAndHeader("direct:start-run", null, "couponTrigger", "once", String.class);
                        RunResult result = coordinator.resultOf(runId).get();
                        if (result.isHeld()) {
                            message = result.summary();
                            exitCode = HELD;
                        } else if (result.succeeded()) {
                            // the live set is swapped by now: the time a daily job takes, before the process winds down
                            message = result.summary()
                                    + String.format(
                                            java.util.Locale.ROOT,
                                            "; %.1f s from process start",
                                            java.lang.management.ManagementFactory.getRuntimeMXBean()
                                                            .getUptime()
                                                    / 1000.0);
                            exitCode = 0;
                        } else {
                            message = "coupon-pipeline: run " + result.runId() + " failed: " + result.failure();
                        }
                    } catch (Exception e) {
                        message = "coupon-pipeline: " + dev.couponpipeline.run.Errors.rootMessage(e);
                    } finally {
                        main.completed();
                    }
                },
                "coupon-once");
        waiter.setDaemon(true);
        waiter.start();
    }

    /** Prints the outcome: the summary on stdout, or the reason on stderr. Called after everything stopped. */
    int report() {
        (exitCode == 0 || exitCode == HELD ? out : err).println(message);
        return exitCode;
    }
}
