package dev.couponpipeline.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves a data record gives back exactly the hashes and text codes written into it, and refuses garbage. */
class CodeRecordFormatTest {

    private static List<String> decode(byte[] value) {
        List<String> out = new ArrayList<>();
        int n = CodeRecordFormat.decode(ByteBuffer.wrap(value), new CodeRecordFormat.CodeReceiver() {
            @Override
            public void packed(long hash) {
                out.add("#" + hash);
            }

            @Override
            public void text(byte[] code, int off, int len) {
                out.add(new String(code, off, len, StandardCharsets.ISO_8859_1));
            }
        }, new byte[64]);
        assertEquals(out.size(), n);
        return out;
    }

    @Test
    void should_round_trip_hashes_and_text_codes() {
        long[] hashes = {1, 0x0fffffffffffffffL, 42, 1L << 59};
        byte[] text = "weird-code\nanother one\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] value = CodeRecordFormat.encode(hashes, 3, text, text.length);
        assertEquals(List.of("#1", "#" + 0x0fffffffffffffffL, "#42", "weird-code", "another one"), decode(value));
        assertEquals(List.of(), decode(CodeRecordFormat.encode(hashes, 0, null, 0)));
    }

    @Test
    void should_read_a_slice_of_a_larger_buffer() {
        byte[] value = CodeRecordFormat.encode(new long[] {7, 8}, 2, null, 0);
        byte[] framed = new byte[value.length + 10];
        System.arraycopy(value, 0, framed, 3, value.length);
        ByteBuffer slice = ByteBuffer.wrap(framed, 3, value.length).slice();
        List<Long> got = new ArrayList<>();
        CodeRecordFormat.decode(slice, new CodeRecordFormat.CodeReceiver() {
            @Override
            public void packed(long hash) {
                got.add(hash);
            }

            @Override
            public void text(byte[] code, int off, int len) {
                got.add(-1L);
            }
        }, new byte[8]);
        assertEquals(List.of(7L, 8L), got);
    }

    @Test
    void should_refuse_what_is_not_a_record() {
        assertThrows(IllegalArgumentException.class, () -> decode("AAAAAAAA\nBBBBBBBB".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> decode(new byte[] {1, 0, 0, 0, 9, 1, 2}));
        byte[] cut = CodeRecordFormat.encode(new long[] {1}, 1, "abc\n".getBytes(), 3);
        assertThrows(IllegalArgumentException.class, () -> decode(cut), "text without its final newline");
    }
}
