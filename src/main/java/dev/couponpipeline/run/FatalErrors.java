package dev.couponpipeline.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when any thread dies of something nobody caught: logged at ERROR with the thread's name, and an
 * {@link Error} (out of memory, a stack overflow, a class that cannot load) fails the run in flight at once with
 * that reason, rather than leaving it to stall until its deadline. Out of memory is better still handled by the
 * JVM ({@code -XX:+ExitOnOutOfMemoryError}), so that an orchestrator restarts the process: threads that catch
 * every {@code Throwable} themselves (Kafka's heartbeat thread, executor pools) never reach this handler.
 */
public final class FatalErrors implements Thread.UncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);

    private final RunCoordinator coordinator;
    private final java.util.function.BiConsumer<String, String> record;

    /** {@code record} tells every instance (Redis): (run id, reason); best effort. */
    public FatalErrors(RunCoordinator coordinator, java.util.function.BiConsumer<String, String> record) {
        this.coordinator = coordinator;
        this.record = record;
    }

    /** Makes this the handler of every thread that has none of its own. */
    public void install() {
        Thread.setDefaultUncaughtExceptionHandler(this);
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        LOG.error("Thread {} died: {}", t.getName(), e.toString(), e);
        if (e instanceof Error) {
            String reason = "the JVM hit " + e + " in thread " + t.getName();
            coordinator.failActive(reason).ifPresent(runId -> {
                try {
                    record.accept(runId, reason); // so that no aggregator swaps it live after all
                } catch (RuntimeException | Error notRecorded) {
                    LOG.warn("Could not record the failure of run {} in Redis: {}", runId, notRecorded.toString());
                }
            });
        }
    }
}
