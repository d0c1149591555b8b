package dev.couponpipeline.records;

import dev.couponpipeline.codes.CodeExtractor;
import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.codes.LineTooLongException;
import dev.couponpipeline.files.GzipFormatException;
import dev.couponpipeline.files.IsalGzipInputStream;
import dev.couponpipeline.files.SourceContent;
import dev.couponpipeline.files.SourceException;
import java.io.Closeable;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.BooleanSupplier;

/**
 * Streams one source file into code records: file → strict gunzip (or the entries of a zip, or plain text) →
 * extractor → batcher. Never holds more than a read buffer and the open batches, whatever the file size.
 *
 * <p>It is an {@link Iterator} so that a streaming splitter can pull records one at a time; any failure
 * surfaces as a {@link SourceException} naming the file and the reason.
 */
public final class SourceReader implements Iterator<CodeRecord>, Closeable {

    /** Decompressed bytes scanned at a time: enough for the ISA-L reader to write straight into it in 4 KB slices. */
    private static final int READ_BUFFER = 5 << 20;

    private final String name;
    private final long fileSize;
    private final SourceContent gzip;
    private final CodeExtractor extractor;
    private final RecordBatcher batcher;
    private final BooleanSupplier cancelled;
    private final byte[] chunk = new byte[READ_BUFFER];
    private long bytesOut;
    private boolean finished;
    private SourceException failure;

    private SourceReader(
            Path file,
            SourceContent gzip,
            long fileSize,
            CodeExtractor extractor,
            RecordBatcher batcher,
            BooleanSupplier cancelled) {
        this.name = file.toString();
        this.gzip = gzip;
        this.fileSize = fileSize;
        this.extractor = extractor;
        this.batcher = batcher;
        this.cancelled = cancelled;
    }

    /**
     * Opens and checks the file: it must exist, be a readable regular file and start a gzip stream (a zip for
     * {@code .zip}, anything for {@code .txt}). Gzip is decompressed with the JDK's zlib.
     */
    public static SourceReader open(
            Path file, CodePattern pattern, int partitions, int codesPerRecord, BooleanSupplier cancelled) {
        return open(file, pattern, partitions, codesPerRecord, false, cancelled);
    }

    /** The same; with {@code isal}, gzip is decompressed with ISA-L where it works on this machine. */
    public static SourceReader open(
            Path file,
            CodePattern pattern,
            int partitions,
            int codesPerRecord,
            boolean isal,
            BooleanSupplier cancelled) {
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw new SourceException(name, "is a directory, not a gzip file", null);
        }
        InputStream in = null;
        try {
            long size = Files.size(file);
            in = new FileInputStream(file.toFile());
            SourceContent gzip = SourceContent.open(name, in, isal ? IsalGzipInputStream.Reopen.file(file) : null);
            return new SourceReader(
                    file, gzip, size, pattern.newExtractor(), new RecordBatcher(partitions, codesPerRecord), cancelled);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            closeQuietly(in);
            String reason = Files.exists(file) ? "cannot be read (" + e.getMessage() + ")" : "file not found";
            throw new SourceException(name, reason, e);
        } catch (AccessDeniedException e) {
            closeQuietly(in);
            throw new SourceException(name, "permission denied", e);
        } catch (GzipFormatException | java.util.zip.ZipException e) {
            closeQuietly(in);
            throw new SourceException(name, e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(in);
            throw new SourceException(name, "cannot be read: " + e, e);
        }
    }

    @Override
    public boolean hasNext() {
        while (!batcher.hasReady() && !finished) {
            readChunk();
        }
        return batcher.hasReady();
    }

    @Override
    public CodeRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return batcher.poll();
    }

    private void readChunk() {
        try {
            readOrFail();
        } catch (SourceException e) {
            // a failed reader stays failed: callers that drain it afterwards see the end, not the error again
            finished = true;
            failure = e;
            throw e;
        }
    }

    private void readOrFail() {
        if (cancelled.getAsBoolean()) {
            throw new SourceException(name, "cancelled: the run was stopped", null);
        }
        try {
            int n = gzip.read(chunk, 0, chunk.length);
            if (n < 0) {
                extractor.finish(batcher);
                batcher.flush();
                finished = true;
                return;
            }
            bytesOut += n;
            extractor.feed(chunk, 0, n, batcher);
        } catch (GzipFormatException | java.util.zip.ZipException e) {
            throw new SourceException(name, e.getMessage(), e);
        } catch (LineTooLongException e) {
            throw new SourceException(name, gzip.where() + e.getMessage(), e);
        } catch (IOException e) {
            throw new SourceException(name, "read failed after " + gzip.compressedPosition() + " bytes: " + e, e);
        }
    }

    /** The failure that ended reading early, or null. */
    public SourceException failure() {
        return failure;
    }

    /** Codes extracted so far (including in-file duplicates), per the batcher's count. */
    public long codes() {
        return batcher.codes();
    }

    public long codesInPartition(int p) {
        return batcher.codesInPartition(p);
    }

    public int partitions() {
        return batcher.partitions();
    }

    /** Compressed bytes consumed so far, comparable with {@link #fileSize()}. */
    public long compressedBytesRead() {
        return gzip.compressedPosition();
    }

    public long decompressedBytes() {
        return bytesOut;
    }

    public long fileSize() {
        return fileSize;
    }

    /** Gzip members (or zip entries) read so far. */
    public int gzipMembers() {
        return gzip.members();
    }

    /** The CRC32C of the file's bytes (complete once every record was taken), in hex. */
    public String checksum() {
        return gzip.checksum();
    }

    @Override
    public void close() throws IOException {
        gzip.close();
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the open failed already; that error is the one to report
            }
        }
    }
}
