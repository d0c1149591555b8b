package dev.couponpipeline.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A real redis-server process (the binary shipped in embedded-redis), bound to loopback, for when no Redis is
 * configured. Large sets are freed in the background ({@code lazyfree-*}), as on a production Redis.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private final RedisServer server;
    private final int port;

    private EmbeddedRedis(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    public static EmbeddedRedis start(Path dir, int port) throws IOException {
        Files.createDirectories(dir);
        int p = port > 0 ? port : EmbeddedKafka.freePort();
        RedisServer server = RedisServer.newRedisServer()
                .port(p)
                .setting("bind 127.0.0.1")
                .setting("dir " + dir.toAbsolutePath())
                .setting("save 60 1")
                .setting("appendonly no")
                .setting("lazyfree-lazy-server-del yes")
                .setting("lazyfree-lazy-user-del yes")
                .setting("daemonize no")
                .build();
        server.start();
        return new EmbeddedRedis(server, p);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws IOException {
        server.stop();
    }
}
