package dev.couponpipeline.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.junit.jupiter.api.Test;

class ThreadPrioritiesTest {

    @Test
    void pipeline_threads_start_at_the_lowest_priority_and_inherit_it() throws Exception {
        ThreadFactory low = ThreadPriorities.low(Executors.defaultThreadFactory());
        Thread t = low.newThread(() -> {});
        assertEquals(Thread.MIN_PRIORITY, t.getPriority());
        // a thread such a thread creates (a Kafka client's, a broker's) is low too
        int[] child = new int[1];
        Thread parent = low.newThread(() -> child[0] = new Thread(() -> {}).getPriority());
        parent.start();
        parent.join();
        assertEquals(Thread.MIN_PRIORITY, child[0]);
    }

    @Test
    void the_http_servers_pool_keeps_the_normal_priority() {
        // Vert.x's event loops inherit the priority of the thread that starts the server
        assertTrue(
                ThreadPriorities.servesHttp(new VertxPlatformHttpServer(new VertxPlatformHttpServerConfiguration())));
        assertFalse(ThreadPriorities.servesHttp("a route"));
        assertFalse(ThreadPriorities.servesHttp(null));
    }
}
