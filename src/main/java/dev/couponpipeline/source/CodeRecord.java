package dev.couponpipeline.source;

/** One Kafka record's worth of codes of one partition, in {@link dev.couponpipeline.wire.CodeRecordFormat}. */
public record CodeRecord(int partition, byte[] value, int codes) {
}
