package dev.couponpipeline.boot;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ThreadFactory;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API before the pipeline: every thread that reads files, talks to Kafka or builds parts runs at the lowest
 * Java priority, the HTTP server's threads (Vert.x's own) at the normal one. On a machine where a run and the API
 * share the cores, the API's requests then get the CPU first.
 *
 * <p>Which threads: every thread of Camel's pools (sources, aggregator, Kafka consumers, timers), the Kafka
 * clients' network threads, and the embedded broker's (see {@link Infrastructure}). On Linux the JVM applies Java
 * priorities only with {@code -XX:ThreadPriorityPolicy=1}; {@code -XX:JavaPriority1_To_OSPriority=19} makes the
 * lowest one nice 19. Lowering a thread's priority needs no privilege. Without the flag this changes nothing, and
 * start-up says so.
 */
public final class ThreadPriorities extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ThreadPriorities.class);

    /** Threads the Kafka clients start on their own, named by Kafka. */
    private static final String[] KAFKA_CLIENT_THREADS = {"kafka-producer-network-thread", "kafka-coordinator"};

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        main.getCamelContext()
                .getExecutorServiceManager()
                .addThreadFactoryListener((source, factory) -> servesHttp(source) ? factory : low(factory));
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        lowerKafkaClientThreads();
        if (!effective()) {
            LOG.info("Pipeline threads run at a lower priority than the API's, but this JVM ignores thread priorities:"
                    + " start it with -XX:ThreadPriorityPolicy=1 -XX:JavaPriority1_To_OSPriority=19 for that to"
                    + " count (or set coupon.run.low-priority=false)");
        } else {
            LOG.info("Pipeline threads run at nice {}, the API's at the normal priority", osPriorityOfLowest());
        }
    }

    /** The Kafka clients' own threads are created by whoever creates the client: lowered once they exist. */
    public static void lowerKafkaClientThreads() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            for (String prefix : KAFKA_CLIENT_THREADS) {
                if (t.getName().startsWith(prefix)) {
                    t.setPriority(Thread.MIN_PRIORITY);
                }
            }
        }
    }

    /**
     * The HTTP server starts on a thread of a Camel pool, and Vert.x's event loops and workers inherit that
     * thread's priority: it keeps the normal one.
     */
    static boolean servesHttp(Object source) {
        return source != null && source.getClass().getName().startsWith("org.apache.camel.component.platform.http");
    }

    static ThreadFactory low(ThreadFactory factory) {
        return r -> {
            Thread t = factory.newThread(r);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        };
    }

    /** True when the JVM maps Java priorities to OS ones (Linux: only with ThreadPriorityPolicy=1). */
    static boolean effective() {
        if (!System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .contains("linux")) {
            return true;
        }
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return "1".equals(hotspot.getVMOption("ThreadPriorityPolicy").getValue())
                    && "true".equals(hotspot.getVMOption("UseThreadPriorities").getValue());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String osPriorityOfLowest() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            String v = hotspot.getVMOption("JavaPriority1_To_OSPriority").getValue();
            return "-1".equals(v) ? "4" : v;
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
