package dev.couponpipeline.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.records.CodeRecord;
import dev.couponpipeline.records.ControlRecord;
import dev.couponpipeline.records.RecordBatcher;
import dev.couponpipeline.table.PartTable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Proves a part is built to the known answer (codes counted per source in a HashMap) in one pass and in several,
 * from records as the sources write them, and that a record lost between source and aggregator fails the part.
 */
class PartBuilderTest {

    private static final String ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final List<String> SOURCES = List.of("a", "b", "c");

    /** Every source's records, per partition, as a source writes them; and which sources hold each code. */
    private static final class Fixture {
        final int partitions;
        final List<List<List<byte[]>>> records = new ArrayList<>();
        final Map<String, Long> masks = new HashMap<>();
        final long[][] codes;

        /** {@code codesPerRecord[s]}: the record size of source s (a small one gives records of a few codes). */
        Fixture(int partitions, int pool, int codesPerSource, int... codesPerRecord) {
            this.partitions = partitions;
            this.codes = new long[SOURCES.size()][partitions];
            SplittableRandom r = new SplittableRandom(11);
            String[] codePool = new String[pool];
            for (int i = 0; i < pool; i++) {
                StringBuilder sb = new StringBuilder(i % 50 == 0 ? "x-" : ""); // some codes that do not pack
                for (int k = 8 + r.nextInt(3); k > 0; k--) {
                    sb.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
                }
                codePool[i] = sb.toString();
            }
            for (int s = 0; s < SOURCES.size(); s++) {
                RecordBatcher batcher = new RecordBatcher(partitions, codesPerRecord[s]);
                List<List<byte[]>> byPartition = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    byPartition.add(new ArrayList<>());
                }
                for (int i = 0; i < codesPerSource; i++) {
                    String code = codePool[r.nextInt(pool)]; // in-file duplicates too
                    masks.merge(code, 1L << s, (x, y) -> x | y);
                    byte[] b = code.getBytes(StandardCharsets.ISO_8859_1);
                    batcher.code(b, 0, b.length);
                }
                batcher.flush();
                for (CodeRecord rec; (rec = batcher.poll()) != null; ) {
                    byPartition.get(rec.partition()).add(rec.value());
                    codes[s][rec.partition()] += rec.codes();
                }
                records.add(byPartition);
            }
        }

        /** Reads from memory what a source wrote, the way RangeReader reads it from Kafka. */
        RangeSource source(int dropFromSource) {
            return (runId, ranges, sources, sink) -> {
                long[] read = new long[sources];
                for (RangeReader.Range range : ranges) {
                    List<byte[]> values = records.get(range.source()).get(range.partition());
                    for (int i = 0; i < values.size(); i++) {
                        if (range.source() == dropFromSource && i == 0) {
                            continue;
                        }
                        read[range.source()]++;
                        sink.record(range.source(), ByteBuffer.wrap(values.get(i)));
                    }
                }
                return read;
            };
        }

        PartEnds part(int p) {
            PartEnds part = new PartEnds("run-1", p, SOURCES);
            for (int s = 0; s < SOURCES.size(); s++) {
                int n = records.get(s).get(p).size();
                part.add(ControlRecord.ended(
                        "run-1", SOURCES.get(s), p, partitions, "topic-" + s, 0, n - 1, n, codes[s][p]));
            }
            return part;
        }

        void buildsTheKnownAnswer(long budgetBytes, int expectedPasses) {
            PartBuilder builder = new PartBuilder(source(-1), new PartTable(), 2, budgetBytes, 64);
            Map<String, Long> valid = new HashMap<>();
            long distinct = 0;
            for (int p = 0; p < partitions; p++) {
                PartBuilder.Result result = builder.build(
                        part(p),
                        (code, len, mask) -> {
                            Long before = valid.put(new String(code, 0, len, StandardCharsets.ISO_8859_1), mask);
                            assertEquals(null, before, "each code once");
                        },
                        s -> {});
                assertEquals(expectedPasses, result.passes(), "partition " + p);
                for (int s = 0; s < SOURCES.size(); s++) {
                    assertEquals(codes[s][p], result.codesPerSource()[s]);
                }
                distinct += result.distinct();
            }
            Map<String, Long> expected = new HashMap<>();
            masks.forEach((code, mask) -> {
                if (Long.bitCount(mask) >= 2) {
                    expected.put(code, mask);
                }
            });
            assertTrue(expected.size() > masks.size() / 10, "the fixture has overlaps");
            assertEquals(expected, valid);
            assertEquals(masks.size(), distinct);
        }
    }

    /** 30,000 codes a part: one bucket. */
    private static final Fixture SMALL = new Fixture(4, 60_000, 40_000, 1000, 1000, 1000);

    @Test
    void should_build_the_known_answer_in_one_pass() {
        SMALL.buildsTheKnownAnswer(64 << 20, 1);
    }

    @Test
    void should_build_the_known_answer_in_several_passes_within_a_small_budget() {
        // about 30,000 codes a part at 8 bytes each: 64 KB takes four passes
        SMALL.buildsTheKnownAnswer(64 << 10, 4);
    }

    @Test
    void should_build_the_known_answer_over_many_buckets_from_records_of_any_size() {
        // 600,000 codes a part: 32 buckets; records of 10,000, 3,000 and 7 codes (fewer groups than buckets)
        new Fixture(2, 900_000, 400_000, 10_000, 3_000, 7).buildsTheKnownAnswer(64 << 20, 1);
    }

    @Test
    void should_fail_a_part_when_a_record_is_missing() {
        PartBuilder builder = new PartBuilder(SMALL.source(1), new PartTable(), 2, 64 << 20, 64);
        PartFailedException e =
                assertThrows(PartFailedException.class, () -> builder.build(SMALL.part(0), (c, l, m) -> {}, s -> {}));
        assertTrue(e.getMessage().contains("records were lost or duplicated"), e.getMessage());
    }
}
