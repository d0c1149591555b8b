package dev.couponpipeline.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What identifies a source file's content: its size, modification time and the CRC32C of its bytes, written as
 * {@code size:mtime-millis:crc32c}. A published run records its files' fingerprints in the live set's metadata,
 * so a later run can tell that it would read exactly the same bytes.
 */
public record FileFingerprint(long size, long modifiedMillis, String crc32c) {

    @Override
    public String toString() {
        return size + ":" + modifiedMillis + ":" + crc32c;
    }

    /** The fingerprint written by {@link #toString}; null for anything else. */
    public static FileFingerprint parse(String s) {
        if (s == null) {
            return null;
        }
        String[] p = s.split(":");
        if (p.length != 3) {
            return null;
        }
        try {
            return new FileFingerprint(Long.parseLong(p[0]), Long.parseLong(p[1]), p[2]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Size and modification time of {@code file} now, with {@code crc32c} (computed while it was read). */
    public static FileFingerprint of(Path file, String crc32c) throws IOException {
        return new FileFingerprint(
                Files.size(file), Files.getLastModifiedTime(file).toMillis(), crc32c);
    }

    /**
     * True when {@code file} still has this fingerprint: same size and modification time (cheap, checked first),
     * then the same CRC32C of all its bytes (one read of the file).
     */
    public boolean matches(Path file) throws IOException {
        if (!Files.isRegularFile(file)
                || Files.size(file) != size
                || Files.getLastModifiedTime(file).toMillis() != modifiedMillis) {
            return false;
        }
        try (InputStream in = new SourceContent.Counting(Files.newInputStream(file))) {
            SourceContent.Counting counting = (SourceContent.Counting) in;
            counting.transferTo(java.io.OutputStream.nullOutputStream());
            return counting.checksum().equals(crc32c)
                    && Files.getLastModifiedTime(file).toMillis() == modifiedMillis;
        }
    }
}
