package dev.couponpipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves batching neither drops, duplicates nor reorders codes, and counts each partition exactly. */
class RecordBatcherTest {

    static void feed(RecordBatcher batcher, String code) {
        byte[] b = ("x" + code + "y").getBytes(StandardCharsets.US_ASCII);
        batcher.code(b, 1, code.length());
    }

    static List<CodeRecord> drain(RecordBatcher batcher) {
        List<CodeRecord> out = new ArrayList<>();
        CodeRecord r;
        while ((r = batcher.poll()) != null) {
            out.add(r);
        }
        return out;
    }

    @Test
    void should_pack_codes_into_records_of_the_configured_size() {
        RecordBatcher batcher = new RecordBatcher(1, 3);
        List<String> codes = List.of("AAAAAAAA", "BBBBBBBBB", "CCCCCCCCCC", "DDDDDDDD", "EEEEEEEE");
        codes.forEach(c -> feed(batcher, c));
        batcher.flush();
        List<CodeRecord> records = drain(batcher);
        assertEquals(2, records.size());
        assertEquals("AAAAAAAA\nBBBBBBBBB\nCCCCCCCCCC", new String(records.get(0).value(), StandardCharsets.US_ASCII));
        assertEquals("DDDDDDDD\nEEEEEEEE", new String(records.get(1).value(), StandardCharsets.US_ASCII));
        assertEquals(3, records.get(0).codes());
        assertEquals(5, batcher.codes());
    }

    @Test
    void should_send_one_record_per_code_when_asked() {
        RecordBatcher batcher = new RecordBatcher(1, 1);
        feed(batcher, "AAAAAAAA");
        feed(batcher, "BBBBBBBB");
        batcher.flush();
        assertEquals(List.of("AAAAAAAA", "BBBBBBBB"),
                drain(batcher).stream().map(r -> new String(r.value(), StandardCharsets.US_ASCII)).toList());
    }

    @Test
    void should_route_each_code_to_the_same_partition_from_every_source() {
        RecordBatcher a = new RecordBatcher(4, 2);
        RecordBatcher b = new RecordBatcher(4, 5);
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            codes.add(String.format("CODE%04d", i));
        }
        codes.forEach(c -> feed(a, c));
        codes.forEach(c -> feed(b, c));
        a.flush();
        b.flush();
        List<List<String>> byPartitionA = split(drain(a));
        List<List<String>> byPartitionB = split(drain(b));
        assertEquals(byPartitionA, byPartitionB);
        long total = 0;
        for (int p = 0; p < 4; p++) {
            assertEquals(byPartitionA.get(p).size(), a.codesInPartition(p));
            assertTrue(byPartitionA.get(p).size() > 20, "hash spreads codes");
            total += a.codesInPartition(p);
        }
        assertEquals(200, total);
    }

    private static List<List<String>> split(List<CodeRecord> records) {
        List<List<String>> parts = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            parts.add(new ArrayList<>());
        }
        for (CodeRecord r : records) {
            parts.get(r.partition()).addAll(Arrays.asList(new String(r.value(), StandardCharsets.US_ASCII).split("\n")));
        }
        return parts;
    }
}
