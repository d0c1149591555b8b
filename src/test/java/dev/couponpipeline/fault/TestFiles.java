package dev.couponpipeline.fault;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * Three gzip source files with a known answer: each code of a random pool is put in one, two or three files
 * (some lines repeated), and the valid set is the codes put in two or more, decided here while writing, not by
 * anything under test.
 */
final class TestFiles {

    static final List<String> NAMES = List.of("couponbase1", "couponbase2", "couponbase3");
    private static final String ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    final Set<String> valid;
    /** Codes valid in every variant: a prober can expect them in the old and in the new set. */
    final List<String> core;

    final long codesWritten;

    private TestFiles(Set<String> valid, List<String> core, long codesWritten) {
        this.valid = valid;
        this.core = core;
        this.codesWritten = codesWritten;
    }

    /**
     * Writes {@code couponbase1..3.gz} into {@code dir}: the same pool of {@code distinct} codes for every
     * variant, each code in a random subset of the files chosen by {@code variant}, except every tenth code,
     * which is in all three (the core).
     */
    static TestFiles write(Path dir, long variant, int distinct) throws IOException {
        Random poolRandom = new Random(42);
        Random r = new Random(variant);
        List<String> pool = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (pool.size() < distinct) {
            StringBuilder sb = new StringBuilder();
            int len = 8 + poolRandom.nextInt(3);
            for (int i = 0; i < len; i++) {
                sb.append(ALNUM.charAt(poolRandom.nextInt(ALNUM.length())));
            }
            if (seen.add(sb.toString())) {
                pool.add(sb.toString());
            }
        }
        List<String> core = new ArrayList<>();
        List<List<String>> files = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Set<String> valid = new HashSet<>();
        for (int i = 0; i < pool.size(); i++) {
            String code = pool.get(i);
            int mask = i % 10 == 0 ? 7 : 1 + r.nextInt(7); // a non-empty subset of the three files
            if (mask == 7 && i % 10 == 0) {
                core.add(code);
            }
            for (int f = 0; f < 3; f++) {
                if ((mask & 1 << f) != 0) {
                    files.get(f).add(code);
                    if (r.nextInt(20) == 0) {
                        files.get(f).add(code); // an in-file duplicate counts once
                    }
                }
            }
            if (Integer.bitCount(mask) >= 2) {
                valid.add(code);
            }
        }
        Files.createDirectories(dir);
        long written = 0;
        for (int f = 0; f < 3; f++) {
            List<String> lines = files.get(f);
            Collections.shuffle(lines, r);
            try (OutputStream out =
                    new GZIPOutputStream(Files.newOutputStream(dir.resolve(NAMES.get(f) + ".gz")), 1 << 16)) {
                StringBuilder sb = new StringBuilder();
                for (String code : lines) {
                    sb.append(code).append(r.nextInt(10) == 0 ? "\r\n" : "\n");
                    if (sb.length() > 1 << 16) {
                        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
                        sb.setLength(0);
                    }
                }
                out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
            }
            written += lines.size();
        }
        return new TestFiles(Set.copyOf(valid), List.copyOf(core), written);
    }

    /** The routes file naming the three sources with topics of their own ({@code prefix.couponbaseN}). */
    static void writeRoutes(Path routesDir, String topicPrefix) throws IOException {
        dev.couponpipeline.testing.SourcesYaml.write(routesDir, NAMES, topicPrefix);
    }
}
