package dev.couponpipeline.produce;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings of the Kafka clients the pipeline creates itself (the source producers, the range readers, the
 * admin client), taken from the same place as Camel's own: the {@code camel.component.kafka.*} options. Brokers,
 * security (TLS, SASL), timeouts and any {@code additional-properties[...]} set there apply to every client, so an
 * operator configures Kafka once.
 */
public final class KafkaClients {

    /** Client settings an admin client understands: connection and security, nothing producer- or consumer-only. */
    private static final Set<String> ADMIN_PREFIXES = Set.of(
            "security.",
            "sasl.",
            "ssl.",
            "client.dns.lookup",
            "request.timeout.ms",
            "reconnect.backoff",
            "retry.backoff",
            "connections.max.idle.ms",
            "metadata.max.age.ms");

    private final KafkaConfiguration camel;

    public KafkaClients(KafkaConfiguration camel) {
        this.camel = camel;
    }

    public String brokers() {
        return camel.getBrokers();
    }

    /** The security settings in force, for messages: protocol and SASL mechanism, never a secret. */
    public String securitySummary() {
        String protocol = camel.getSecurityProtocol() == null
                        || camel.getSecurityProtocol().isEmpty()
                ? "PLAINTEXT"
                : camel.getSecurityProtocol();
        return "security.protocol=" + protocol
                + (protocol.startsWith("SASL") ? ", sasl.mechanism=" + camel.getSaslMechanism() : "");
    }

    /** Producer settings: Camel's, then {@code overrides}. */
    public Properties producer(Map<String, Object> overrides) {
        Properties p = camel.createProducerProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers());
        p.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        p.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        p.putAll(overrides);
        return p;
    }

    /** Consumer settings for a consumer without a group (it assigns and seeks itself): Camel's, then overrides. */
    public Properties consumer(Map<String, Object> overrides) {
        Properties p = camel.createConsumerProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers());
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        p.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        p.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putAll(overrides);
        return p;
    }

    /** An admin client with the brokers and security settings. */
    public Admin admin() {
        Properties p = new Properties();
        camel.createConsumerProperties().forEach((k, v) -> {
            String key = k.toString();
            if (ADMIN_PREFIXES.stream().anyMatch(key::startsWith)) {
                p.put(key, v);
            }
        });
        camel.getAdditionalProperties().forEach(p::put);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, brokers());
        p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        return Admin.create(p);
    }
}
