package dev.couponpipeline.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line: help, a wrong option, a missing value and a missing routes directory exit before anything starts;
 * generate writes.
 */
class LauncherTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int launch(String... args) throws Exception {
        return launchWith(Map.of(), args);
    }

    @Test
    void should_print_the_usage_for_help() throws Exception {
        assertEquals(0, launch("--help"));
        String usage = out.toString(StandardCharsets.UTF_8);
        assertTrue(usage.contains("--once") && usage.contains("generate"), usage);
        assertEquals(0, launch("generate", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--scale"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void should_refuse_an_unknown_option_and_a_missing_one_with_exit_code_2() throws Exception {
        assertEquals(2, launch("--onse"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--onse"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, launch("generate", "--scale", "0.001"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--out"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, launch("generate", "--out", "x", "--scale", "many"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("many"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void should_generate_the_three_sample_files(@TempDir Path dir) throws Exception {
        assertEquals(0, launch("generate", "--out", dir.toString(), "--scale", "0.0001", "--seed", "3"));
        try (var files = Files.list(dir)) {
            assertEquals(3, files.filter(p -> p.toString().endsWith(".gz")).count(), out.toString());
        }
    }

    @Test
    void should_name_a_missing_or_empty_routes_directory_before_anything_starts(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nowhere");
        Map<String, String> settings = Map.of("coupon.routes-dir", missing.toString());
        assertEquals(1, launchWith(settings, "--once"));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(
                e.contains(missing.toString()) && e.contains("does not exist") && e.contains("coupon.routes-dir"), e);

        err.reset();
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "not a route");
        assertEquals(1, launchWith(Map.of("coupon.routes-dir", empty.toString())));
        e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains(empty.toString()) && e.contains("no *.yaml file"), e);
    }

    private int launchWith(Map<String, String> settings, String... args) throws Exception {
        return Launcher.launch(
                args,
                settings,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                main -> {
                    throw new AssertionError("the service must not start");
                });
    }
}
