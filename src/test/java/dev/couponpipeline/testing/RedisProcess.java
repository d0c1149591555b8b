package dev.couponpipeline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server (or Sentinel) process from the binary the embedded-redis jar ships (built with TLS), started
 * with a configuration file the test writes, on loopback; killable at any time.
 */
public final class RedisProcess implements AutoCloseable {

    private static final String BINARY = "/redis-server-6.2.6-v5-linux-amd64";

    public final int port;
    public final Path log;
    private final Process process;

    private RedisProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Writes {@code config} (redis.conf lines) to {@code dir/<name>.conf} and starts the server on it
     * ({@code --sentinel} with {@code sentinel}), waiting until {@code port} takes connections.
     */
    public static RedisProcess start(Path dir, String name, int port, List<String> config, boolean sentinel)
            throws Exception {
        Path binary = binary(dir);
        Path conf = dir.resolve(name + ".conf");
        List<String> lines = new ArrayList<>(
                List.of("bind 127.0.0.1", "daemonize no", "save \"\"", "appendonly no", "dir " + dir.toAbsolutePath()));
        lines.addAll(config);
        Files.write(conf, lines);
        Path log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), conf.toString()));
        if (sentinel) {
            cmd.add("--sentinel");
        }
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new RedisProcess(p, port, log);
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException(name + " did not start: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
    }

    /** The redis-server binary of the embedded-redis jar, copied into {@code dir} once and made executable. */
    public static Path binary(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path binary = dir.resolve("redis-server");
        if (!Files.exists(binary)) {
            try (InputStream in = RedisProcess.class.getResourceAsStream(BINARY)) {
                if (in == null) {
                    throw new IllegalStateException("the embedded-redis jar has no " + BINARY);
                }
                Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
            }
            binary.toFile().setExecutable(true);
        }
        return binary;
    }

    /** {@code kill -9}: no shutdown, no save. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill9();
    }
}
