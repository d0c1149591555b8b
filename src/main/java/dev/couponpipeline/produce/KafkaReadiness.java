package dev.couponpipeline.produce;

/**
 * Waits until the Kafka this process starts itself is up (the embedded broker starts while Camel boots); the
 * topics are set up after it. Bound in the registry as {@link #BEAN} when there is such a broker.
 */
public interface KafkaReadiness {

    String BEAN = "embeddedInfrastructure";

    void awaitKafka() throws InterruptedException;
}
