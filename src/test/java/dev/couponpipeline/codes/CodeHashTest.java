package dev.couponpipeline.codes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Proves the code hash is a bijection on 60 bits and spreads codes evenly over partitions and buckets. */
class CodeHashTest {

    @Test
    void should_give_back_every_value_it_mixed() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 1_000_000; i++) {
            long v = r.nextLong() & CodeHash.MASK;
            long h = CodeHash.mix(v);
            assertTrue(h >= 0 && h <= CodeHash.MASK, "60 bits");
            assertEquals(v, CodeHash.unmix(h));
        }
        for (long v : new long[] {0, 1, 2, CodeHash.MASK, CodeHash.MASK - 1, 1L << 59}) {
            assertEquals(v, CodeHash.unmix(CodeHash.mix(v)));
        }
    }

    @Test
    void should_mix_a_batch_exactly_as_one_code_at_a_time() {
        SplittableRandom r = new SplittableRandom(8);
        long[] packed = new long[100_000];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = r.nextLong() & CodeHash.MASK;
        }
        long[] hashes = new long[packed.length];
        CodeHash.mix(packed, packed.length, hashes);
        for (int i = 0; i < packed.length; i++) {
            assertEquals(CodeHash.mix(packed[i]), hashes[i]);
            assertEquals(packed[i], CodeHash.unmix(hashes[i]));
        }
    }

    @Test
    void should_spread_sequential_codes_evenly_over_partitions_and_low_bits() {
        int partitions = 7;
        int[] perPartition = new int[partitions];
        int[] perBucket = new int[256];
        int n = 700_000;
        for (int i = 0; i < n; i++) {
            byte[] s = String.format("CODE%05d", i).getBytes(); // sequential codes: the worst case for a weak hash
            long h = CodeHash.mix(CodePacking.pack(s, 0, s.length));
            perPartition[CodeHash.partition(h, partitions)]++;
            perBucket[(int) h & 255]++;
        }
        for (int c : perPartition) {
            assertTrue(Math.abs(c - n / partitions) < n / partitions / 50, "within 2 %: " + c);
        }
        for (int c : perBucket) {
            assertTrue(Math.abs(c - n / 256) < n / 256 / 10, "within 10 %: " + c);
        }
    }
}
