package dev.couponpipeline.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program some tests drive from outside the JVM (promtool, a headless Chromium), found on the PATH. Missing, it
 * fails the test with what installs it ({@code .ci/test-tools}, which {@code .ci/run} calls), never skips it.
 */
public final class ExternalTool {

    private ExternalTool() {}

    /** The tool's path; fails the test when it is not installed. */
    public static Path require(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(name + " is not installed: run `bash .ci/test-tools` (Debian packages prometheus"
                + " and chromium), which `bash .ci/run` does before the test suite");
    }

    /** What a finished command printed, and its exit code. */
    public record Result(int exitCode, String output) {}

    /** Runs {@code command} in {@code dir}, stdout and stderr together, killed after {@code seconds}. */
    public static Result run(Path dir, long seconds, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb =
                new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            reader.join(5000);
            throw new AssertionError(String.join(" ", command) + " did not finish within " + seconds + " s");
        }
        reader.join(5000);
        return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }

    /**
     * The DOM of {@code url} after its scripts ran (headless Chromium, {@code --dump-dom}), with the flags a
     * closed network needs: nothing but loopback is reachable here.
     */
    public static String renderedDom(String url, Path profileDir) throws IOException, InterruptedException {
        Path chromium = require("chromium");
        List<String> cmd = new ArrayList<>(List.of(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profileDir,
                "--virtual-time-budget=5000",
                "--dump-dom",
                url));
        Result r = run(profileDir, 90, cmd.toArray(new String[0]));
        if (r.exitCode() != 0) {
            throw new AssertionError("chromium failed (" + r.exitCode() + "): " + r.output());
        }
        return r.output();
    }
}
