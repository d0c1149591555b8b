package dev.couponpipeline.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Proves the table keeps exactly the masks a plain HashMap would, within the memory budget. */
class CodeTableTest {

    private static final String ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    static String randomCode(Random r, int len, String alphabet) {
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    static void add(CodeTable t, String code, int source) {
        byte[] b = code.getBytes(StandardCharsets.ISO_8859_1);
        t.add(b, 0, b.length, source);
    }

    static Map<String, Long> contents(CodeTable t, int minSources) {
        Map<String, Long> m = new HashMap<>();
        t.forEachValid(minSources, (code, len, mask) -> {
            Long old = m.put(new String(code, 0, len, StandardCharsets.ISO_8859_1), mask);
            if (old != null) {
                throw new AssertionError("code listed twice");
            }
        });
        return m;
    }

    @Test
    void should_pack_and_unpack_every_length_and_symbol() {
        byte[] out = new byte[10];
        Random r = new Random(5);
        for (int len = 1; len <= 10; len++) {
            for (int i = 0; i < 200; i++) {
                byte[] code = randomCode(r, len, ALNUM).getBytes(StandardCharsets.US_ASCII);
                long v = CodePacking.pack(code, 0, len);
                assertTrue(v > 0 && v < (1L << 60));
                assertEquals(len, CodePacking.unpack(v, out));
                assertEquals(new String(code, StandardCharsets.US_ASCII), new String(out, 0, len, StandardCharsets.US_ASCII));
            }
        }
        assertEquals(-1, CodePacking.pack("ABCDEFGHIJK".getBytes(StandardCharsets.US_ASCII), 0, 11));
        assertEquals(-1, CodePacking.pack("ABC-DEFG".getBytes(StandardCharsets.US_ASCII), 0, 8));
    }

    @Test
    void should_agree_with_a_hashmap_reference_through_many_resizes() {
        Random r = new Random(11);
        CodeTable table = new CodeTable(3);
        Map<String, Long> reference = new HashMap<>();
        // a small pool so codes recur within and across sources
        String[] pool = new String[300_000];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = randomCode(r, 8 + r.nextInt(3), ALNUM);
        }
        for (int i = 0; i < 600_000; i++) {
            String code = pool[r.nextInt(pool.length)];
            int source = r.nextInt(3);
            add(table, code, source);
            reference.merge(code, 1L << source, (a, b) -> a | b);
        }
        assertEquals(reference.size(), table.size());
        assertEquals(reference, contents(table, 1));
        Map<String, Long> valid = new HashMap<>();
        reference.forEach((c, m) -> {
            if (Long.bitCount(m) >= 2) {
                valid.put(c, m);
            }
        });
        assertEquals(valid, contents(table, 2));
        assertEquals(valid.size(), table.countValid(2));
        reference.forEach((c, m) -> {
            byte[] b = c.getBytes(StandardCharsets.US_ASCII);
            assertEquals((long) m, table.mask(b, 0, b.length));
        });
    }

    @Test
    void should_agree_with_a_hashmap_reference_when_records_are_inserted_on_two_threads() {
        Random r = new Random(12);
        String[] pool = new String[200_000];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = randomCode(r, 8 + r.nextInt(3), ALNUM);
        }
        Map<String, Long> reference = new HashMap<>();
        try (CodeTable.Helper helper = new CodeTable.Helper()) {
            CodeTable table = new CodeTable(3, 0, helper);
            for (int record = 0; record < 120; record++) {
                int source = r.nextInt(3);
                StringBuilder value = new StringBuilder();
                int codes = 1 + r.nextInt(20_000);
                for (int c = 0; c < codes; c++) {
                    String code = c % 997 == 0 ? "NOT-PACKED-" + r.nextInt(50) : pool[r.nextInt(pool.length)];
                    value.append(code).append('\n');
                    reference.merge(code, 1L << source, (x, y) -> x | y);
                }
                value.setLength(value.length() - 1);
                assertEquals(codes, table.addRecord(value.toString().getBytes(StandardCharsets.ISO_8859_1), source));
            }
            assertEquals(reference.size(), table.size());
            assertEquals(reference, contents(table, 1));
        }
    }

    @Test
    void should_forget_one_source_and_take_it_again_in_packed_and_overflow_codes() {
        CodeTable table = new CodeTable(3);
        String[] codes = {"HAPPYHRS", "SUPER100", "A-CODE-THAT-DOES-NOT-PACK"};
        for (String c : codes) {
            byte[] b = c.getBytes(StandardCharsets.US_ASCII);
            table.add(b, 0, b.length, 0);
            table.add(b, 0, b.length, 2);
        }
        byte[] only1 = "ONLYINONE".getBytes(StandardCharsets.US_ASCII);
        table.add(only1, 0, only1.length, 1);
        assertEquals(3, table.countValid(2));

        table.clearSource(2);
        assertEquals(0, table.countValid(2));
        for (String c : codes) {
            byte[] b = c.getBytes(StandardCharsets.US_ASCII);
            assertEquals(1L, table.mask(b, 0, b.length), c);
        }
        table.clearSource(0);
        assertEquals(1, table.distinct(), "only ONLYINONE is still held by a source");
        assertEquals(4, table.size(), "cleared codes keep their slots");

        for (String c : codes) {
            byte[] b = c.getBytes(StandardCharsets.US_ASCII);
            table.add(b, 0, b.length, 2);
            table.add(b, 0, b.length, 0);
        }
        assertEquals(3, table.countValid(2));
        assertEquals(4, table.distinct());
    }

    @Test
    void should_stay_within_16_bytes_per_code_at_any_size() {
        Random r = new Random(3);
        CodeTable table = new CodeTable(3);
        for (int i = 1; i <= 2_000_000; i++) {
            add(table, randomCode(r, 10, ALNUM), i % 3);
            if (i % 100_000 == 0) {
                double perCode = (double) table.bytes() / table.size();
                assertTrue(perCode <= 16.0, perCode + " bytes per code at " + i + " codes");
            }
        }
    }

    @Test
    void should_keep_codes_that_do_not_pack_in_the_overflow_table() {
        CodeTable table = new CodeTable(3);
        add(table, "ABC-1234", 0);
        add(table, "ABC-1234", 2);
        add(table, "LONGERTHANTENCHARS", 1);
        add(table, "\u00e9t\u00e9COUPON", 0);
        add(table, "\u00e9t\u00e9COUPON", 1);
        add(table, "PACKED01", 0);
        add(table, "PACKED01", 1);
        assertEquals(Map.of("ABC-1234", 0b101L, "\u00e9t\u00e9COUPON", 0b011L, "PACKED01", 0b011L), contents(table, 2));
    }

    @Test
    void should_hold_more_than_four_sources() {
        CodeTable table = new CodeTable(6);
        add(table, "HAPPYHRS", 0);
        add(table, "HAPPYHRS", 5);
        add(table, "SUPER100", 4);
        assertEquals(Map.of("HAPPYHRS", 0b100001L), contents(table, 2));
        assertEquals(Map.of("HAPPYHRS", 0b100001L, "SUPER100", 0b10000L), contents(table, 1));
    }
}
