package dev.couponpipeline.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.codes.CodeHash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Proves a data record gives back exactly the hashes and text codes written into it, and refuses garbage. */
class CodeRecordFormatTest {

    private final CodeRecordFormat.Encoder encoder = new CodeRecordFormat.Encoder();

    private static List<String> decode(byte[] value) {
        return decode(ByteBuffer.wrap(value));
    }

    private static List<String> decode(ByteBuffer value) {
        List<String> out = new ArrayList<>();
        int n = new CodeRecordFormat.Decoder(64).decode(value, new CodeRecordFormat.CodeReceiver() {
            @Override
            public void packed(long[] hashes, int n) {
                for (int i = 0; i < n; i++) {
                    out.add("#" + hashes[i]);
                }
            }

            @Override
            public void text(byte[] code, int off, int len) {
                out.add(new String(code, off, len, StandardCharsets.ISO_8859_1));
            }
        });
        assertEquals(out.size(), n);
        return out;
    }

    private static List<String> sortedHashes(long[] hashes, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("#" + hashes[i]);
        }
        out.sort(null);
        return out;
    }

    @Test
    void should_give_back_every_hash_of_any_count_and_spread() {
        SplittableRandom r = new SplittableRandom(11);
        for (int n : new int[] {1, 2, 3, 7, 64, 100, 1000, 4096, 10_000, 12_345}) {
            for (int partitions : new int[] {1, 3, 64, 1000}) {
                long[] hashes = new long[n];
                int p = r.nextInt(partitions);
                for (int i = 0; i < n; i++) {
                    long h;
                    do {
                        h = r.nextLong() & CodeHash.MASK;
                    } while (CodeHash.partition(h, partitions) != p); // one partition's codes, as the batcher has
                    hashes[i] = h;
                }
                if (n > 3) {
                    hashes[n - 1] = hashes[0]; // a code twice in one record (in-file duplicate)
                }
                byte[] value = encoder.encode(hashes, n, null, 0);
                List<String> got = decode(value);
                got.sort(null);
                assertEquals(sortedHashes(hashes, n), got, n + " codes in " + partitions + " partitions");
                if (n == 10_000 && partitions == 64) {
                    assertTrue(value.length < 5.5 * n, "about 5.4 bytes a code: " + value.length);
                }
            }
        }
    }

    @Test
    void should_carry_text_codes_after_the_hashes() {
        long[] hashes = {1, CodeHash.MASK, 42};
        byte[] text = "weird-code\nanother one\n".getBytes(StandardCharsets.ISO_8859_1);
        List<String> got = decode(encoder.encode(hashes, 3, text, text.length));
        assertEquals(List.of("weird-code", "another one"), got.subList(3, 5));
        assertEquals(
                sortedHashes(hashes, 3), got.subList(0, 3).stream().sorted().toList());
        assertEquals(List.of("only-text"), decode(encoder.encode(hashes, 0, "only-text\n".getBytes(), 10)));
        assertEquals(List.of(), decode(encoder.encode(hashes, 0, null, 0)));
    }

    @Test
    void should_read_a_slice_of_a_larger_buffer() {
        byte[] value = encoder.encode(new long[] {7, 8}, 2, null, 0);
        byte[] framed = new byte[value.length + 10];
        System.arraycopy(value, 0, framed, 3, value.length);
        assertEquals(
                List.of("#7", "#8"),
                decode(ByteBuffer.wrap(framed, 3, value.length).slice()).stream()
                        .sorted()
                        .toList());
    }

    @Test
    void should_refuse_what_is_not_a_record() {
        assertThrows(IllegalArgumentException.class, () -> decode("AAAAAAAA\nBBBBBBBB".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> decode(new byte[] {2, 0, 0, 0, 9, 1, 2}));
        byte[] good = encoder.encode(new long[] {5, 6, 7, 8}, 4, null, 0);
        assertThrows(IllegalArgumentException.class, () -> decode(Arrays.copyOf(good, good.length - 8)), "cut short");
        byte[] lying = good.clone();
        lying[4] = 5; // says 5 codes, the group sizes hold 4
        assertThrows(IllegalArgumentException.class, () -> decode(lying));
        byte[] cut = encoder.encode(new long[] {1}, 1, "abc\n".getBytes(), 3);
        assertThrows(IllegalArgumentException.class, () -> decode(cut), "text without its final newline");
    }
}
