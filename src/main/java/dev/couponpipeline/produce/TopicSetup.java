package dev.couponpipeline.produce;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the source topics and the control topic that do not exist yet (partitions, replication factor,
 * retention from the settings), checks the ones that exist against what a run needs ({@link #check}), and waits
 * until every partition has a leader that answers.
 */
public final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final long WAIT_SECONDS = 60;

    private final KafkaClients kafka;
    private final String controlTopic;
    private final int partitions;
    private final short replicationFactor;
    private final long retentionMs;
    private final int maxMessageBytes;
    private final long minRetentionMs;

    public TopicSetup(
            KafkaClients kafka,
            String controlTopic,
            int partitions,
            int replicationFactor,
            long retentionMs,
            int maxMessageBytes,
            long minRetentionMs) {
        if (partitions < 1) {
            throw new IllegalArgumentException("coupon.kafka.partitions must be at least 1, was " + partitions);
        }
        this.kafka = kafka;
        this.controlTopic = controlTopic;
        this.partitions = partitions;
        this.replicationFactor = (short) replicationFactor;
        this.retentionMs = retentionMs;
        this.maxMessageBytes = maxMessageBytes;
        this.minRetentionMs = minRetentionMs;
    }

    /** Makes sure the source topics and the control topic exist with enough partitions, ready to take records. */
    public void ensure(List<String> sourceTopics) throws InterruptedException {
        Set<String> topics = new LinkedHashSet<>(sourceTopics);
        topics.add(controlTopic);
        try (Admin admin = kafka.admin()) {
            Set<String> existing = admin.listTopics().names().get(WAIT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, partitions, replicationFactor)
                            .configs(Map.of(
                                    "retention.ms", Long.toString(retentionMs),
                                    "max.message.bytes", Integer.toString(maxMessageBytes))));
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(WAIT_SECONDS, TimeUnit.SECONDS);
                    LOG.info(
                            "Created topics {} ({} partition(s), replication factor {})",
                            missing.stream().map(NewTopic::name).toList(),
                            partitions,
                            replicationFactor);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            Map<String, TopicDescription> described = describeWhenVisible(admin, List.copyOf(topics));
            Map<String, Config> configs = configsOf(admin, topics);
            described.forEach((name, d) -> check(d, configs.get(name)));
            awaitLeaders(admin, topics);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.AuthenticationException) {
                // the whole story in one message (no secret is in it): it is what start-up prints
                LOG.debug("Kafka authentication failed", e);
                throw new IllegalStateException("Kafka authentication failed at " + kafka.brokers() + " ("
                        + kafka.securitySummary() + "): " + cause.getMessage());
            }
            if (cause instanceof org.apache.kafka.common.errors.AuthorizationException) {
                LOG.debug("Kafka authorization failed", e);
                throw new IllegalStateException("Kafka at " + kafka.brokers() + " does not allow the pipeline's"
                        + " user (" + kafka.securitySummary() + ") to describe or create its topics " + topics + ": "
                        + cause.getMessage());
            }
            throw new IllegalStateException(
                    "cannot set up the Kafka topics on " + kafka.brokers() + ": " + e.getMessage(), e);
        }
    }

    /**
     * An existing topic as an operator may have made it, against what a run needs: enough partitions (a code goes
     * to partition hash mod coupon.kafka.partitions), as many replicas as min.insync.replicas (else every write is
     * refused), deletion as cleanup policy (compaction would keep one record a key), and a retention of at least
     * coupon.aggregator.completion-timeout-ms (a run's records must still be there while the aggregator may read
     * them). The first one wrong fails start-up naming the topic and the setting.
     */
    void check(TopicDescription d, Config config) {
        String name = d.name();
        if (d.partitions().size() < partitions) {
            throw new IllegalStateException(
                    "topic " + name + " has " + d.partitions().size()
                            + " partition(s) but coupon.kafka.partitions is " + partitions + ": add partitions to "
                            + "the topic (kafka-topics --alter --partitions " + partitions + ") or lower the setting");
        }
        int replicas =
                d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
        int minInsync = intValue(config, "min.insync.replicas", 1);
        if (replicas < minInsync) {
            throw new IllegalStateException("topic " + name + " has replication factor " + replicas
                    + " but its min.insync.replicas is " + minInsync + ": Kafka would refuse every record the"
                    + " pipeline sends (acks=all); add replicas to the topic or lower its min.insync.replicas");
        }
        if (replicas < replicationFactor) {
            LOG.warn(
                    "Topic {} has replication factor {}, below coupon.kafka.replication-factor {}: a broker lost can"
                            + " lose records of a run",
                    name,
                    replicas,
                    replicationFactor);
        }
        String cleanup = value(config, "cleanup.policy", "delete");
        if (cleanup.contains("compact")) {
            throw new IllegalStateException("topic " + name + " has cleanup.policy=" + cleanup + ": compaction keeps"
                    + " one record per key and would drop a run's records; set cleanup.policy=delete");
        }
        long retention = longValue(config, "retention.ms", -1);
        if (retention >= 0 && retention < minRetentionMs) {
            throw new IllegalStateException("topic " + name + " keeps records for retention.ms=" + retention
                    + ", shorter than a run may take (coupon.aggregator.completion-timeout-ms=" + minRetentionMs
                    + "): Kafka could delete a run's records before they are aggregated; raise the topic's"
                    + " retention.ms (coupon.kafka.retention-ms is " + retentionMs + ")");
        }
    }

    /**
     * What Kafka says about a topic's replicas, for the message of a send that failed: the partitions that have no
     * leader or fewer in-sync replicas than the topic's min.insync.replicas (which is why a broker refuses records
     * sent with acks=all), and the brokers the cluster has. Asks for at most {@code timeoutMs}; never throws.
     */
    public static String replicaReport(KafkaClients kafka, String topic, long timeoutMs) {
        Admin admin = null;
        try {
            admin = kafka.admin();
            TopicDescription d = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(timeoutMs, TimeUnit.MILLISECONDS)
                    .get(topic);
            Config config = configsOf(admin, Set.of(topic), timeoutMs).get(topic);
            int minInsync = intValue(config, "min.insync.replicas", 1);
            List<String> shortOnes = new ArrayList<>();
            Set<Integer> replicas = new java.util.TreeSet<>();
            Set<Integer> inSync = new java.util.TreeSet<>();
            for (var p : d.partitions()) {
                p.replicas().forEach(n -> replicas.add(n.id()));
                p.isr().forEach(n -> inSync.add(n.id()));
                if (p.leader() == null || p.leader().isEmpty() || p.isr().size() < minInsync) {
                    shortOnes.add(topic + "-" + p.partition() + " (leader "
                            + (p.leader() == null || p.leader().isEmpty()
                                    ? "none"
                                    : p.leader().id()) + ", in sync "
                            + p.isr().stream().map(n -> n.id()).toList() + " of replicas "
                            + p.replicas().stream().map(n -> n.id()).toList() + ")");
                }
            }
            Set<Integer> alive = new java.util.TreeSet<>();
            admin.describeCluster()
                    .nodes()
                    .get(timeoutMs, TimeUnit.MILLISECONDS)
                    .forEach(n -> alive.add(n.id()));
            Set<Integer> missing = new java.util.TreeSet<>(replicas);
            missing.removeAll(alive);
            if (shortOnes.isEmpty()) {
                return "every partition of " + topic + " has a leader and at least min.insync.replicas=" + minInsync
                        + " in-sync replicas now; brokers up " + alive;
            }
            return shortOnes.size() + " of " + d.partitions().size() + " partitions have fewer in-sync replicas than"
                    + " min.insync.replicas=" + minInsync + " or no leader: " + String.join(", ", shortOnes)
                    + "; replicas missing: brokers " + missing + " (brokers up " + alive + ")";
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            return "Kafka did not describe topic " + topic + " within " + timeoutMs + " ms either: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while asking Kafka about topic " + topic;
        } finally {
            // calls still waiting for an unreachable Kafka are abandoned, not waited for
            if (admin != null) {
                admin.close(java.time.Duration.ZERO);
            }
        }
    }

    private static Map<String, Config> configsOf(Admin admin, Set<String> topics)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        return configsOf(admin, topics, TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    }

    private static Map<String, Config> configsOf(Admin admin, Set<String> topics, long timeoutMs)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                .toList();
        Map<String, Config> out = new HashMap<>();
        admin.describeConfigs(resources)
                .all()
                .get(timeoutMs, TimeUnit.MILLISECONDS)
                .forEach((r, c) -> out.put(r.name(), c));
        return out;
    }

    private static String value(Config config, String key, String fallback) {
        ConfigEntry e = config == null ? null : config.get(key);
        return e == null || e.value() == null ? fallback : e.value();
    }

    private static int intValue(Config config, String key, int fallback) {
        return (int) longValue(config, key, fallback);
    }

    private static long longValue(Config config, String key, long fallback) {
        try {
            return Long.parseLong(value(config, key, Long.toString(fallback)).trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** A topic just created may not be known to every broker for a moment: retry for up to a minute. */
    private static Map<String, TopicDescription> describeWhenVisible(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Waits until every partition's leader answers a ListOffsets request. A freshly created partition is in the
     * metadata before its leader has opened the log; records sent in that window are refused and retried, and an
     * idempotent producer can then be left with sequence numbers the broker rejects.
     */
    private void awaitLeaders(Admin admin, Set<String> topics)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (String t : topics) {
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(t, p), OffsetSpec.latest());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            try {
                admin.listOffsets(request).all().get(WAIT_SECONDS, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
