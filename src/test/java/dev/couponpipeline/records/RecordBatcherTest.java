package dev.couponpipeline.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.testing.Records;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
        assertEquals(
                List.of("AAAAAAAA", "BBBBBBBBB", "CCCCCCCCCC"),
                sorted(Records.codesOf(records.get(0).value())));
        assertEquals(
                List.of("DDDDDDDD", "EEEEEEEE"),
                sorted(Records.codesOf(records.get(1).value())));
        assertEquals(3, records.get(0).codes());
        assertEquals(5, batcher.codes());
    }

    private static List<String> sorted(List<String> codes) {
        List<String> s = new ArrayList<>(codes);
        s.sort(null);
        return s;
    }

    @Test
    void should_send_one_record_per_code_when_asked() {
        RecordBatcher batcher = new RecordBatcher(1, 1);
        feed(batcher, "AAAAAAAA");
        feed(batcher, "BBBBBBBB");
        batcher.flush();
        assertEquals(
                List.of("AAAAAAAA", "BBBBBBBB"),
                drain(batcher).stream()
                        .flatMap(r -> Records.codesOf(r.value()).stream())
                        .toList());
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
        byPartitionA.forEach(l -> l.sort(null)); // within a record, codes are grouped by hash
        byPartitionB.forEach(l -> l.sort(null));
        assertEquals(byPartitionA, byPartitionB);
        long total = 0;
        for (int p = 0; p < 4; p++) {
            assertEquals(byPartitionA.get(p).size(), a.codesInPartition(p));
            assertTrue(byPartitionA.get(p).size() > 20, "hash spreads codes");
            total += a.codesInPartition(p);
        }
        assertEquals(200, total);
    }

    @Test
    void should_carry_codes_that_do_not_pack_as_text_in_their_partition() {
        RecordBatcher a = new RecordBatcher(3, 4);
        RecordBatcher b = new RecordBatcher(3, 4);
        List<String> codes = List.of(
                "AAAAAAAA", "has-dash-1", "ELEVENCHARS", "BBBBBBBB", "\u00e9t\u00e9code", "CCCCCCCC", "twelve_chars");
        for (RecordBatcher x : List.of(a, b)) {
            for (String c : codes) {
                byte[] bytes = c.getBytes(StandardCharsets.ISO_8859_1);
                x.code(bytes, 0, bytes.length);
            }
            x.flush();
        }
        List<CodeRecord> ra = drain(a);
        List<List<String>> pa = new ArrayList<>(List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        ra.forEach(r -> pa.get(r.partition()).addAll(Records.codesOf(r.value())));
        List<String> all = new ArrayList<>();
        pa.forEach(all::addAll);
        assertEquals(new java.util.TreeSet<>(codes), new java.util.TreeSet<>(all));
        assertEquals(codes.size(), all.size());
        List<List<String>> pb = new ArrayList<>(List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        drain(b).forEach(r -> pb.get(r.partition()).addAll(Records.codesOf(r.value())));
        pa.forEach(l -> l.sort(null));
        pb.forEach(l -> l.sort(null));
        assertEquals(pa, pb, "the same partition for a code whatever the batch");
    }

    private static List<List<String>> split(List<CodeRecord> records) {
        List<List<String>> parts = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            parts.add(new ArrayList<>());
        }
        for (CodeRecord r : records) {
            parts.get(r.partition()).addAll(Records.codesOf(r.value()));
        }
        return parts;
    }
}
