package dev.couponpipeline.files;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;

/**
 * Writes three sample source files shaped like the public ones: random {@code [A-Z0-9]} codes of 8, 9 and 10
 * characters, one per LF-terminated line, gzip level 6, followed by planted codes with a known answer.
 */
public final class SampleGenerator {

    /** Lines of random codes per file at scale 1, and their lengths (the public files' shape). */
    static final long[] LINES = {107_260_768L, 107_260_768L, 98_566_144L};

    static final int[] LENGTHS = {8, 9, 10};
    public static final List<String> FILES = List.of("couponbase1.gz", "couponbase2.gz", "couponbase3.gz");

    static final List<String> IN_ALL =
            List.of("BIRTHDAY", "BUYGETON", "FIFTYOFF", "FREEZAAA", "GNULINUX", "OVER9000", "SIXTYOFF");
    static final List<List<String>> PLANTED =
            List.of(concat(IN_ALL, "HAPPYHRS", "SUPER100"), concat(IN_ALL, "MOODYHRS"), concat(IN_ALL, "HAPPYHRS"));

    private static final byte[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".getBytes(StandardCharsets.US_ASCII);

    private SampleGenerator() {}

    private static List<String> concat(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return List.copyOf(all);
    }

    /** The codes a correct pipeline must publish for any generated data set (random codes never repeat across files). */
    public static List<String> expectedValid() {
        List<String> valid = new ArrayList<>(IN_ALL);
        valid.add("HAPPYHRS");
        return valid;
    }

    /** Writes the three files into {@code out} in parallel; returns their paths. */
    public static List<Path> generate(Path out, double scale, long seed) throws IOException {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("--scale must be positive, was " + scale);
        }
        Files.createDirectories(out);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Path>> files = new ArrayList<>();
            for (int f = 0; f < 3; f++) {
                final int i = f;
                files.add(pool.submit(() -> writeFile(
                        out.resolve(FILES.get(i)),
                        Math.round(LINES[i] * scale),
                        LENGTHS[i],
                        PLANTED.get(i),
                        seed * 31 + i)));
            }
            List<Path> paths = new ArrayList<>();
            for (Future<Path> f : files) {
                paths.add(f.get());
            }
            return paths;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("generating sample data failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Path writeFile(Path file, long lines, int len, List<String> planted, long seed) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buf = new byte[(len + 1) * 8192];
        try (OutputStream out =
                new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), 1 << 16)) {
            long left = lines;
            while (left > 0) {
                int n = (int) Math.min(left, 8192);
                int p = 0;
                for (int l = 0; l < n; l++) {
                    for (int c = 0; c < len; c++) {
                        buf[p++] = ALPHABET[random.nextInt(ALPHABET.length)];
                    }
                    buf[p++] = '\n';
                }
                out.write(buf, 0, p);
                left -= n;
            }
            for (String code : planted) {
                out.write((code + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }
}
