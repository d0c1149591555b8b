package dev.couponpipeline.files;

/** One configured source file: its id (the bit order follows the ids' order), file and Kafka topic. */
public record Source(String id, String file, String topic) {}
