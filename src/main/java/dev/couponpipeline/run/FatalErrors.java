package dev.couponpipeline.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when any thread dies of something nobody caught: logged at ERROR with the thread's name, and an
 * {@link Error} (out of memory, a stack overflow, a class that cannot load) fails the run in flight at once with
 * that reason, rather than leaving it to stall until its deadline. Out of memory is better still handled by the
 * JVM ({@code -XX:+ExitOnOutOfMemoryError}), so that an orchestrator restarts the process.
 */
public final class FatalErrors implements Thread.UncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);

    private final RunCoordinator coordinator;

    public FatalErrors(RunCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** Makes this the handler of every thread that has none of its own. */
    public void install() {
        Thread.setDefaultUncaughtExceptionHandler(this);
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        LOG.error("Thread {} died: {}", t.getName(), e.toString(), e);
        if (e instanceof Error) {
            coordinator.failActive("the JVM hit " + e + " in thread " + t.getName());
        }
    }
}
