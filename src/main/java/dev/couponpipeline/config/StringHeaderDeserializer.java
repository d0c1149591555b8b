package dev.couponpipeline.config;

import java.nio.charset.StandardCharsets;
import org.apache.camel.component.kafka.serde.KafkaHeaderDeserializer;

/** Turns Kafka record header values back into the strings our producers wrote. */
public final class StringHeaderDeserializer implements KafkaHeaderDeserializer {

    @Override
    public Object deserialize(String key, byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
