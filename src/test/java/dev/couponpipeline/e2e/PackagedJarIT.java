package dev.couponpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.testing.TestJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the built jar is what the README promises: {@code generate} writes the sample files and
 * {@code --once} on the embedded Kafka and Redis publishes their 8 planted valid codes, or exits 1 with one line
 * naming the file and the reason.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PackagedJarIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path JAR = PROJECT.resolve("target/coupon-pipeline.jar");

    record Result(int exit, String out, String err) {
        String lastErrLine() {
            String[] lines = err.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    static Result run(Path workDir, String... args) throws Exception {
        return run(workDir, List.of(), java.util.Map.of(), args);
    }

    static Result run(Path workDir, List<String> jvm, java.util.Map<String, String> env, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(TestJvm.JAVA);
        cmd.add("-Xmx1g");
        cmd.addAll(TestJvm.FLAGS);
        cmd.addAll(jvm);
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(List.of(args));
        Path out = workDir.resolve("stdout.txt");
        Path err = workDir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    @Test
    void should_generate_sample_data_and_publish_its_planted_codes_once(@TempDir Path work) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run through mvn verify: the jar is built first");
        copyTree(PROJECT.resolve("config"), work.resolve("config"));
        copyTree(PROJECT.resolve("routes"), work.resolve("routes"));

        Result gen = run(work, "generate", "--out", "data/input", "--scale", "0.002", "--seed", "9");
        assertEquals(0, gen.exit(), gen.err());
        for (String f : List.of("couponbase1.gz", "couponbase2.gz", "couponbase3.gz")) {
            assertTrue(Files.size(work.resolve("data/input").resolve(f)) > 100_000, f);
        }

        // empty on purpose, as compose and Kubernetes files set them: the embedded parts start
        Result once = run(
                work,
                List.of("-Dcoupon.redis.host="),
                java.util.Map.of("COUPON_KAFKA_BROKERS", "", "COUPON_REDIS_HOST", ""),
                "--once");
        assertEquals(0, once.exit(), once.err());
        assertTrue(
                once.err().contains("Started the embedded Kafka broker")
                        && once.err().contains("loopback only"),
                "the embedded parts say what they are for");
        assertTrue(once.out().contains("couponbase1=214531 codes"), once.out());
        assertTrue(once.out().contains(" 8 valid codes"), once.out());

        // a missing file is waited for (coupon.input.wait-minutes, 60 by default; PipelineEndToEndIT waits):
        // without a wait it fails at once, naming the file
        Files.delete(work.resolve("data/input/couponbase2.gz"));
        Result failed = run(work, List.of("-Dcoupon.input.wait-minutes=0"), java.util.Map.of(), "--once");
        assertEquals(1, failed.exit(), failed.out());
        String line = failed.lastErrLine();
        assertTrue(line.startsWith("coupon-pipeline: run ") && line.contains("couponbase2.gz: file not found"), line);
        assertEquals("", failed.out().strip(), "nothing on stdout when the run fails");
        assertTrue(new String(Files.readAllBytes(work.resolve("stderr.txt")), StandardCharsets.UTF_8).length() > 0);
    }
}
