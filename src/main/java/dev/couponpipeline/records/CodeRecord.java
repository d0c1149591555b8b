package dev.couponpipeline.records;

/** One Kafka record's worth of codes of one partition, in {@link dev.couponpipeline.records.CodeRecordFormat}. */
public record CodeRecord(int partition, byte[] value, int codes) {}
