package dev.couponpipeline.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds gzip bytes and files for tests, with the JDK's own compressor. */
public final class GzipFixtures {

    private GzipFixtures() {
    }

    public static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream out = new GZIPOutputStream(bytes)) {
                out.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] gzip(String text) {
        return gzip(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Several gzip members, one per part, concatenated (what {@code cat a.gz b.gz} gives). */
    public static byte[] multiMember(String... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String p : parts) {
            all.writeBytes(gzip(p));
        }
        return all.toByteArray();
    }

    public static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
