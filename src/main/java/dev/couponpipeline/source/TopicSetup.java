package dev.couponpipeline.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the source topics that do not exist yet (partitions, replication factor, retention from the
 * settings), before the aggregator subscribes. Existing topics are left as they are, with a warning when their
 * partition count differs from the setting.
 */
public final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    private final String brokers;
    private final int partitions;
    private final short replicationFactor;
    private final long retentionMs;
    private final int maxMessageBytes;

    public TopicSetup(String brokers, int partitions, int replicationFactor, long retentionMs, int maxMessageBytes) {
        this.brokers = brokers;
        this.partitions = partitions;
        this.replicationFactor = (short) replicationFactor;
        this.retentionMs = retentionMs;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** A topic just created may not be known to every broker for a moment: retry for up to a minute. */
    private static Map<String, TopicDescription> describeWhenVisible(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    public void ensure(List<String> topics) throws InterruptedException {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, partitions, replicationFactor).configs(Map.of(
                            "retention.ms", Long.toString(retentionMs),
                            "max.message.bytes", Integer.toString(maxMessageBytes))));
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                    LOG.info("Created topics {} ({} partition(s), replication factor {})",
                            missing.stream().map(NewTopic::name).toList(), partitions, replicationFactor);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            Map<String, TopicDescription> described = describeWhenVisible(admin, topics);
            described.forEach((name, d) -> {
                if (d.partitions().size() != partitions) {
                    LOG.warn("Topic {} has {} partition(s) but coupon.kafka.partitions is {}; codes are routed by "
                            + "coupon.kafka.partitions", name, d.partitions().size(), partitions);
                }
            });
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create the source topics on " + brokers + ": " + e.getMessage(), e);
        }
    }
}
