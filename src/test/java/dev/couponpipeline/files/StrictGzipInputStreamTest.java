package dev.couponpipeline.files;

import static dev.couponpipeline.files.GzipFixtures.gzip;
import static dev.couponpipeline.files.GzipFixtures.multiMember;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves both gzip readers (the JDK's zlib and ISA-L) decode every intact stream like the JDK's GZIPInputStream and
 * refuse every damaged one with the reason.
 */
class StrictGzipInputStreamTest {

    /** The two readers, each over bytes in memory. */
    enum Reader {
        JDK {
            @Override
            InputStream open(byte[] gz, int bufferSize) throws IOException {
                return new StrictGzipInputStream(new ByteArrayInputStream(gz), bufferSize);
            }
        },
        ISAL {
            @Override
            InputStream open(byte[] gz, int bufferSize) throws IOException {
                return IsalGzipInputStreamTest.isal(gz, bufferSize, 1 << 20);
            }
        };

        abstract InputStream open(byte[] gz, int bufferSize) throws IOException;

        byte[] readAll(byte[] gz, int bufferSize) throws IOException {
            try (InputStream in = open(gz, bufferSize)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[777];
                int n;
                while ((n = in.read(buf, 0, buf.length)) > 0) {
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            }
        }
    }

    /** The JDK's reader, and ISA-L's where it works (IsalGzipInputStreamTest fails when it does not on Linux x86-64). */
    static java.util.stream.Stream<Reader> readers() {
        return Isal.problem() == null
                ? java.util.stream.Stream.of(Reader.values())
                : java.util.stream.Stream.of(Reader.JDK);
    }

    static byte[] randomText(Random random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (random.nextInt(8) == 0 ? '\n' : 'A' + random.nextInt(26));
        }
        return b;
    }

    @ParameterizedTest
    @MethodSource("readers")
    void should_decode_like_the_jdk_with_any_buffer_size(Reader reader) throws IOException {
        byte[] data = randomText(new Random(1), 300_000);
        byte[] gz = gzip(data);
        assertArrayEquals(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes(), data);
        for (int buffer : new int[] {1, 7, 512, 65536}) {
            assertArrayEquals(data, reader.readAll(gz, buffer), "buffer " + buffer);
        }
    }

    @ParameterizedTest
    @MethodSource("readers")
    void should_decode_every_member_of_a_multi_member_file(Reader reader) throws IOException {
        byte[] gz = multiMember("AAAAAAAA\n", "", "BBBBBBBB\nCCCCCCCC\n", "DDDDDDDD");
        assertEquals(
                "AAAAAAAA\nBBBBBBBB\nCCCCCCCC\nDDDDDDDD", new String(reader.readAll(gz, 5), StandardCharsets.US_ASCII));
        try (InputStream in = reader.open(gz, 64)) {
            in.readAllBytes();
            assertEquals(
                    4,
                    in instanceof IsalGzipInputStream isal ? isal.members() : ((StrictGzipInputStream) in).members());
        }
    }

    @ParameterizedTest
    @MethodSource("readers")
    void should_read_an_empty_gzip_stream_as_no_data(Reader reader) throws IOException {
        assertEquals(0, reader.readAll(gzip(""), 64).length);
    }

    @ParameterizedTest
    @MethodSource("readers")
    void should_refuse_an_empty_file(Reader reader) {
        GzipFormatException e = assertThrows(GzipFormatException.class, () -> reader.readAll(new byte[0], 64));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("readers")
    void should_refuse_data_that_is_not_gzip(Reader reader) {
        GzipFormatException e = assertThrows(
                GzipFormatException.class,
                () -> reader.readAll("HAPPYHRS\nSUPER100\n".getBytes(StandardCharsets.US_ASCII), 64));
        assertTrue(e.getMessage().contains("not gzip"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("readers")
    void should_refuse_every_truncation_inside_a_member(Reader reader) {
        byte[] gz = gzip(randomText(new Random(2), 5000));
        for (int len = 1; len < gz.length; len++) {
            byte[] cut = Arrays.copyOf(gz, len);
            GzipFormatException e =
                    assertThrows(GzipFormatException.class, () -> reader.readAll(cut, 256), "length " + len);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("readers")
    void should_refuse_a_corrupt_crc_or_corrupt_deflate_data(Reader reader) {
        byte[] gz = gzip(randomText(new Random(3), 5000));
        byte[] badCrc = gz.clone();
        badCrc[badCrc.length - 6] ^= 0x55;
        GzipFormatException e = assertThrows(GzipFormatException.class, () -> reader.readAll(badCrc, 256));
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
        byte[] badSize = gz.clone();
        badSize[badSize.length - 2] ^= 0x01;
        assertThrows(GzipFormatException.class, () -> reader.readAll(badSize, 256));
        // flipping bytes in the deflate data must be caught by the inflater or the CRC, never passed through
        Random random = new Random(4);
        for (int i = 0; i < 200; i++) {
            byte[] bad = gz.clone();
            bad[12 + random.nextInt(gz.length - 20)] ^= (byte) (1 + random.nextInt(255));
            assertThrows(GzipFormatException.class, () -> reader.readAll(bad, 256), "flip " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("readers")
    void should_refuse_junk_after_the_last_member(Reader reader) {
        byte[] gz = gzip("HAPPYHRS\n");
        byte[] junk = Arrays.copyOf(gz, gz.length + 5);
        GzipFormatException e = assertThrows(GzipFormatException.class, () -> reader.readAll(junk, 256));
        assertTrue(e.getMessage().contains("after gzip member 1"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("readers")
    void should_skip_optional_header_fields(Reader reader) throws IOException {
        byte[] plain = gzip("HAPPYHRS\n");
        // rebuild the header with FEXTRA, FNAME, FCOMMENT and FHCRC set
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3});
        b.write(new byte[] {3, 0, 'a', 'b', 'c'});
        b.writeBytes("name.txt\0".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes("a comment\0".getBytes(StandardCharsets.US_ASCII));
        b.write(new byte[] {0, 0});
        b.write(plain, 10, plain.length - 10);
        assertEquals("HAPPYHRS\n", new String(reader.readAll(b.toByteArray(), 3), StandardCharsets.US_ASCII));
    }
}
