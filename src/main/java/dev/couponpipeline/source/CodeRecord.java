package dev.couponpipeline.source;

/** One Kafka record's worth of codes: ASCII codes separated by {@code \n}, all for one partition. */
public record CodeRecord(int partition, byte[] value, int codes) {
}
