package dev.couponpipeline.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.codes.CodeHash;
import dev.couponpipeline.codes.CodePacking;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Proves a part table gives the same code → source mask as a HashMap, across buckets and reuse. */
class PartTableTest {

    private static final String ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static String randomCode(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int len = 8 + r.nextInt(3);
        for (int i = 0; i < len; i++) {
            sb.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
        }
        return sb.toString();
    }

    /** Adds codes of a random pool to random sources (many more than once) and compares with a HashMap. */
    private static void checkAgainstMap(PartTable table, int sources, int distinct, long seed, boolean withText) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Long> expected = new HashMap<>();
        String[] pool = new String[distinct];
        for (int i = 0; i < distinct; i++) {
            pool[i] = withText && i % 17 == 0 ? "x-" + randomCode(r) : randomCode(r);
        }
        table.reset(sources, (long) distinct * 2);
        for (int i = 0; i < distinct * 2; i++) {
            String code = pool[r.nextInt(distinct)];
            int s = r.nextInt(sources);
            expected.merge(code, 1L << s, (a, b) -> a | b);
            byte[] b = code.getBytes(StandardCharsets.ISO_8859_1);
            long packed = CodePacking.pack(b, 0, b.length);
            if (packed > 0) {
                table.addHash(CodeHash.mix(packed), s);
            } else {
                table.addText(b, 0, b.length, s);
            }
        }
        Map<String, Long> valid = new HashMap<>();
        table.forEachValid(2, (code, len, mask) -> {
            Long before = valid.put(new String(code, 0, len, StandardCharsets.ISO_8859_1), mask);
            assertEquals(null, before, "each code visited once");
        });
        Map<String, Long> expectedValid = new HashMap<>();
        expected.forEach((c, m) -> {
            if (Long.bitCount(m) >= 2) {
                expectedValid.put(c, m);
            }
        });
        assertEquals(expectedValid, valid);
        assertEquals(expected.size(), table.distinct());
        assertTrue(expectedValid.size() > distinct / 10, "the fixture has overlaps");
    }

    @Test
    void should_fold_like_a_hash_map_in_one_bucket_and_in_many() {
        PartTable table = new PartTable();
        checkAgainstMap(table, 3, 1_000, 1, false);
        checkAgainstMap(table, 3, 200_000, 2, false); // many buckets, several chunks each
        checkAgainstMap(table, 4, 50_000, 3, true); // reused, with codes that do not pack
        assertTrue(table.bytes() > 0);
        table.release();
        checkAgainstMap(table, 2, 10_000, 4, false);
    }

    @Test
    void should_keep_masks_of_more_than_four_sources() {
        checkAgainstMap(new PartTable(), 9, 20_000, 5, true);
    }
}
