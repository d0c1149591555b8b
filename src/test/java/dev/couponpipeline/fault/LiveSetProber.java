package dev.couponpipeline.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;

/**
 * What the API team would see during a fault: a thread that, every few milliseconds, checks known-valid codes
 * with SISMEMBER and the set's size with SCARD, straight on redis-server. Every answer must come from a complete
 * set: the old one or the new one. Connection errors (Redis itself down) are counted apart, not as violations.
 */
final class LiveSetProber implements AutoCloseable {

    private final String host;
    private final int port;
    private final String key;
    private final List<String> alwaysValid;
    private final Set<Long> allowedSizes;
    private final List<String> violations = new ArrayList<>();
    private final AtomicLong probes = new AtomicLong();
    private final AtomicLong unreachable = new AtomicLong();
    private volatile boolean running = true;
    private final Thread thread;

    /** {@code alwaysValid}: codes valid in both the old and the new set; {@code allowedSizes}: their sizes. */
    LiveSetProber(String host, int port, String key, List<String> alwaysValid, Set<Long> allowedSizes) {
        this.host = host;
        this.port = port;
        this.key = key;
        this.alwaysValid = alwaysValid;
        this.allowedSizes = allowedSizes;
        this.thread = new Thread(this::probe, "live-set-prober");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void probe() {
        int i = 0;
        while (running) {
            try (Jedis j = new Jedis(host, port, 1000)) {
                while (running) {
                    String code = alwaysValid.get(i++ % alwaysValid.size());
                    boolean member = j.sismember(key, code);
                    long size = j.scard(key);
                    probes.incrementAndGet();
                    if (!member) {
                        violation("SISMEMBER " + code + " said no");
                    }
                    if (!allowedSizes.contains(size)) {
                        violation("SCARD " + size + " is neither set's size " + allowedSizes);
                    }
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                unreachable.incrementAndGet();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private synchronized void violation(String what) {
        if (violations.size() < 20) {
            violations.add(what);
        }
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    long probes() {
        return probes.get();
    }

    long unreachable() {
        return unreachable.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
