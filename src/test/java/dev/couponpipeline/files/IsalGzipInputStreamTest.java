package dev.couponpipeline.files;

import static dev.couponpipeline.files.GzipFixtures.gzip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Proves the ISA-L reader finds every member's end without help, hands only what it cannot be sure of to the JDK's
 * reader, and then says exactly what that reader says.
 */
class IsalGzipInputStreamTest {

    /** The ISA-L reader over bytes in memory (reopened from the same bytes). */
    static IsalGzipInputStream isal(byte[] gz, int inputSize, int outputSize) throws IOException {
        return isal(new ByteArrayInputStream(gz), gz, inputSize, outputSize);
    }

    static IsalGzipInputStream isal(InputStream in, byte[] gz, int inputSize, int outputSize) throws IOException {
        return new IsalGzipInputStream(
                in,
                offset -> new ByteArrayInputStream(gz, (int) offset, gz.length - (int) offset),
                inputSize,
                outputSize);
    }

    static byte[] readAll(InputStream in) throws IOException {
        return readAll(in, 65_536);
    }

    static byte[] readAll(InputStream in, int readSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[readSize];
        int n;
        while ((n = in.read(buf, 0, buf.length)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Lines of random codes, as the sources hold them. */
    static byte[] codes(Random random, int bytes) {
        byte[] b = new byte[bytes];
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (random.nextInt(10) == 0 ? '\n' : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b;
    }

    static byte[] gzipAt(byte[] data, int level) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes) {
                {
                    def.setLevel(level);
                }
            }) {
                out.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    /** Hands out at most {@code max} bytes a read, and counts them. */
    static final class Trickle extends FilterInputStream {
        final Random random = new Random(7);
        final int max;
        long read;

        Trickle(InputStream in, int max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, Math.min(len, 1 + random.nextInt(max)));
            if (n > 0) {
                read += n;
            }
            return n;
        }
    }

    @Test
    void should_load_on_linux_x86_64() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && System.getProperty("os.arch").equals("amd64"));
        assertNull(Isal.problem());
    }

    @Test
    void should_decode_multi_member_files_like_the_jdk_without_handing_over() throws IOException {
        assumeTrue(Isal.problem() == null);
        Random random = new Random(1);
        byte[] a = codes(random, 1_500_000);
        byte[] b = codes(random, 700_000);
        byte[] c = codes(random, 3_000_000);
        // a stored member (level 0), an empty one, the fastest and the best compression
        byte[] gz = concat(gzipAt(a, 6), gzipAt(b, 0), gzip(new byte[0]), gzipAt(c, 1), gzipAt(b, 9));
        byte[] expected = new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes();
        assertEquals(a.length + b.length + c.length + b.length, expected.length);
        // reads smaller than a decode's room go through the reader's own buffer, bigger ones straight to the caller
        for (int inputSize : new int[] {1, 20_000, 256 * 1024}) {
            for (int readSize : new int[] {65_536, IsalGzipInputStream.MIN_ROOM, 5 << 20}) {
                try (IsalGzipInputStream in = isal(gz, inputSize, 1)) {
                    assertArrayEquals(expected, readAll(in, readSize), "input " + inputSize + ", reads " + readSize);
                    assertEquals(5, in.members());
                    assertEquals(gz.length, in.compressedPosition());
                    assertFalse(in.handedOver());
                }
            }
        }
        // the file arriving a few bytes at a time: every member's end lands anywhere in a read
        for (int readSize : new int[] {65_536, 5 << 20}) {
            Trickle trickle = new Trickle(new ByteArrayInputStream(gz), 37);
            try (IsalGzipInputStream in = isal(trickle, gz, 1, 1)) {
                assertArrayEquals(expected, readAll(in, readSize));
                assertFalse(in.handedOver());
            }
        }
    }

    @Test
    void should_hand_an_intact_but_unusual_stream_to_the_jdk_and_read_it_whole() throws IOException {
        assumeTrue(Isal.problem() == null);
        Random random = new Random(2);
        byte[] head = codes(random, 300_000);
        byte[] tail = codes(random, 300_000);
        // 4000 empty stored blocks in the middle: 20 KB of deflate data that gives no output, which the ISA-L reader
        // cannot tell from a finished stream without a trailer
        Deflater deflater = new Deflater(6, true);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 20];
        deflater.setInput(head);
        drain(deflater, raw, chunk, Deflater.SYNC_FLUSH); // ends on a byte boundary, where a block may start
        for (int i = 0; i < 4000; i++) {
            raw.write(new byte[] {0, 0, 0, (byte) 0xff, (byte) 0xff}); // not final, stored, length 0
        }
        deflater.setInput(tail);
        deflater.finish();
        drain(deflater, raw, chunk, Deflater.NO_FLUSH);
        byte[] text = concat(head, tail);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(text);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
        gz.writeBytes(raw.toByteArray());
        gz.writeBytes(intLe((int) crc.getValue()));
        gz.writeBytes(intLe(text.length));
        byte[] file = concat(gz.toByteArray(), gzip(tail));
        byte[] expected = concat(text, tail);
        assertArrayEquals(expected, new GZIPInputStream(new ByteArrayInputStream(file)).readAllBytes());

        for (int readSize : new int[] {65_536, 5 << 20}) {
            Trickle counted = new Trickle(new ByteArrayInputStream(file), 100_000);
            try (IsalGzipInputStream in = isal(counted, file, 64 * 1024, 4 << 20)) {
                assertArrayEquals(expected, readAll(in, readSize));
                assertTrue(in.handedOver());
                assertEquals(2, in.members());
            }
            // every byte of the file passed the stream it was opened on once (its checksum covers the file)
            assertEquals(file.length, counted.read);
        }
    }

    private static void drain(Deflater deflater, ByteArrayOutputStream out, byte[] chunk, int flush) {
        int n;
        do {
            n = deflater.deflate(chunk, 0, chunk.length, flush);
            out.write(chunk, 0, n);
        } while (n == chunk.length || (flush == Deflater.NO_FLUSH && !deflater.finished()));
    }

    private static byte[] intLe(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    @Test
    void should_read_or_refuse_every_damaged_file_as_the_jdk_reader_does() throws IOException {
        assumeTrue(Isal.problem() == null);
        Random random = new Random(3);
        byte[] one = gzip(codes(random, 20_000));
        byte[] two = concat(one, gzip(codes(random, 30_000)));
        for (byte[] gz : new byte[][] {one, two}) {
            for (int len = 0; len < gz.length; len += 1 + random.nextInt(40)) {
                byte[] cut = Arrays.copyOf(gz, len);
                sameOutcome(cut, "cut at " + len);
                if (len != one.length) {
                    assertThrows(GzipFormatException.class, () -> readAll(isal(cut, 1, 1)), "cut at " + len);
                }
            }
            for (int i = 0; i < 300; i++) {
                byte[] bad = gz.clone();
                bad[random.nextInt(gz.length)] ^= (byte) (1 + random.nextInt(255));
                sameOutcome(bad, "flip " + i);
            }
            sameOutcome(concat(gz, new byte[] {0x1f, (byte) 0x8b}), "half a header after the last member");
            sameOutcome(concat(gz, "junk".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), "junk");
        }
    }

    /**
     * Both readers read {@code gz} alike: the same bytes, or the same failure (byte offsets aside: they read in
     * other slices).
     */
    private static void sameOutcome(byte[] gz, String what) {
        String jdk = outcome(() -> new StrictGzipInputStream(new ByteArrayInputStream(gz), 4096));
        String isal = outcome(() -> isal(gz, 1, 1));
        assertEquals(withoutOffsets(jdk), withoutOffsets(isal), what);
        String direct = outcome(() -> isal(gz, 1, 1), IsalGzipInputStream.MIN_ROOM);
        assertEquals(withoutOffsets(jdk), withoutOffsets(direct), what + ", read straight into the caller's buffer");
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    /** The failure's message, or a digest of the bytes read. */
    private static String outcome(Opener opener) {
        return outcome(opener, 65_536);
    }

    private static String outcome(Opener opener, int readSize) {
        try (InputStream in = opener.open()) {
            return "read " + Arrays.hashCode(readAll(in, readSize));
        } catch (GzipFormatException e) {
            assertNotNull(e.getMessage());
            return e.getMessage();
        } catch (IOException e) {
            throw new AssertionError("not a GzipFormatException", e);
        }
    }

    private static String withoutOffsets(String message) {
        return message.replaceAll("byte offset \\d+", "byte offset N");
    }
}
