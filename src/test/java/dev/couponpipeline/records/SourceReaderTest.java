package dev.couponpipeline.records;

import static dev.couponpipeline.files.GzipFixtures.gzip;
import static dev.couponpipeline.files.GzipFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.files.GzipFixtures;
import dev.couponpipeline.files.SourceException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves a source file becomes exactly its codes, and that every kind of bad file fails with its name and reason. */
class SourceReaderTest {

    @TempDir
    Path dir;

    static List<String> codes(SourceReader reader) {
        List<String> out = new ArrayList<>();
        while (reader.hasNext()) {
            out.addAll(dev.couponpipeline.testing.Records.codesOf(reader.next().value()));
        }
        return out;
    }

    SourceReader open(Path file) {
        return SourceReader.open(file, CodePattern.defaultPattern(), 1, 2, () -> false);
    }

    @Test
    void should_read_every_code_of_a_multi_member_file_with_duplicates() {
        Path f = write(
                dir.resolve("a.gz"), GzipFixtures.multiMember("HAPPYHRS\r\nSUPER100\n", "HAPPYHRS\n", "x,LASTCODE1"));
        try (SourceReader r = open(f)) {
            assertEquals(List.of("HAPPYHRS", "SUPER100", "HAPPYHRS", "LASTCODE1"), codes(r));
            assertEquals(4, r.codes());
            assertEquals(3, r.gzipMembers());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void should_name_the_file_and_reason_for_each_bad_input() throws Exception {
        Path truncated = write(dir.resolve("truncated.gz"), Arrays.copyOf(gzip("HAPPYHRS\n".repeat(1000)), 40));
        Path notGzip = write(dir.resolve("plain.gz"), "HAPPYHRS\n".getBytes(StandardCharsets.US_ASCII));
        Path empty = write(dir.resolve("empty.gz"), new byte[0]);
        Path longLine = write(dir.resolve("long.gz"), gzip(new byte[3 << 20]));
        Path directory = Files.createDirectories(dir.resolve("adir.gz"));
        assertFailure(dir.resolve("missing.gz"), "file not found");
        assertFailure(truncated, "truncated");
        assertFailure(notGzip, "not gzip");
        assertFailure(empty, "empty");
        assertFailure(longLine, "longer than 1048576 bytes");
        assertFailure(directory, "is a directory");
    }

    private void assertFailure(Path file, String reason) {
        SourceException e = assertThrows(SourceException.class, () -> {
            try (SourceReader r =
                    SourceReader.open(file, CodePattern.compile(CodePattern.DEFAULT, 1 << 20), 1, 100, () -> false)) {
                codes(r);
            }
        });
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void should_stop_when_the_run_is_cancelled() {
        Path f = write(dir.resolve("big.gz"), gzip("HAPPYHRS\n".repeat(200_000)));
        AtomicBoolean cancelled = new AtomicBoolean();
        SourceReader r = SourceReader.open(f, CodePattern.defaultPattern(), 1, 10, cancelled::get);
        r.next();
        cancelled.set(true);
        SourceException e = assertThrows(SourceException.class, () -> codes(r));
        assertTrue(e.getMessage().contains("cancelled"));
    }

    @Test
    void should_read_every_entry_of_a_zip_each_ending_a_line_and_plain_text() throws Exception {
        // the first entry has no final newline: its last code must not run into the next entry's first
        Path z = write(
                dir.resolve("a.zip"),
                GzipFixtures.zip(
                        "part1.txt", "HAPPYHRS\nSUPER100", "dir/part2.txt", "NEXTCODE1\nHAPPYHRS\n", "empty.txt", ""));
        try (SourceReader r = open(z)) {
            assertEquals(List.of("HAPPYHRS", "SUPER100", "NEXTCODE1", "HAPPYHRS"), codes(r));
            assertEquals(3, r.gzipMembers());
            assertEquals(Files.size(z), r.compressedBytesRead(), "the whole file is read");
            assertEquals(crc32c(Files.readAllBytes(z)), r.checksum());
        }
        Path t = write(dir.resolve("b.txt"), "PLAINCODE1 x PLAINCODE2\n".getBytes(StandardCharsets.US_ASCII));
        try (SourceReader r = open(t)) {
            assertEquals(List.of("PLAINCODE1", "PLAINCODE2"), codes(r));
        }
        Path g = write(dir.resolve("c.gz"), gzip("HAPPYHRS\n"));
        try (SourceReader r = open(g)) {
            codes(r);
            assertEquals(crc32c(Files.readAllBytes(g)), r.checksum(), "gzip: the checksum of the file's bytes");
        }
    }

    private static String crc32c(byte[] b) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b);
        return String.format("%08x", c.getValue());
    }

    @Test
    void should_name_the_file_and_the_entry_of_a_bad_zip() throws Exception {
        byte[] good = GzipFixtures.zip("one.txt", "HAPPYHRS\n".repeat(2000), "two.txt", "SUPER100\n".repeat(2000));
        // a flipped byte inside the second entry's deflated data: its CRC (or its deflate stream) does not match
        byte[] corrupt = good.clone();
        int second = indexOf(good, "two.txt".getBytes(StandardCharsets.US_ASCII)) + 20;
        corrupt[second] ^= 0x55;
        assertFailure(write(dir.resolve("corrupt.zip"), corrupt), "entry two.txt");
        assertFailure(write(dir.resolve("cut.zip"), Arrays.copyOf(good, good.length / 3)), "entry one.txt");
        assertFailure(write(dir.resolve("notzip.zip"), gzip("HAPPYHRS\n")), "is not a zip file");
        assertFailure(write(dir.resolve("empty.zip"), new byte[0]), "empty");
        // an intact zip with no entries is a source without codes, like an intact empty gzip
        try (SourceReader r = open(write(dir.resolve("none.zip"), GzipFixtures.zip()))) {
            assertEquals(List.of(), codes(r));
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
