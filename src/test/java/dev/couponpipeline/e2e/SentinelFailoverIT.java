package dev.couponpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.boot.EmbeddedKafka;
import dev.couponpipeline.e2e.PipelineEndToEndIT.Assignment;
import dev.couponpipeline.testing.RedisProcess;
import dev.couponpipeline.testing.SourcesYaml;
import dev.couponpipeline.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Redis for high availability: a master, a replica and a Sentinel (real redis-server processes), a password on
 * both servers, and the pipeline configured with the Sentinel only. The master is killed ({@code kill -9}) while the
 * run reads its files; the Sentinel promotes the replica, and the run publishes there, exactly.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SentinelFailoverIT {

    private static final Path JAR = Path.of("").toAbsolutePath().resolve("target/coupon-pipeline.jar");
    private static final List<String> SOURCES = List.of("a", "b", "c");
    private static final String PASSWORD = "sentinel-test-pw";

    @Test
    void should_publish_on_the_new_master_when_the_master_dies_mid_run(@TempDir Path root) throws Exception {
        int m = EmbeddedKafka.freePort();
        int r = EmbeddedKafka.freePort();
        int s = EmbeddedKafka.freePort();
        List<String> auth = List.of("requirepass " + PASSWORD, "masterauth " + PASSWORD);
        List<String> master = new ArrayList<>(List.of("port " + m));
        master.addAll(auth);
        List<String> replica = new ArrayList<>(List.of("port " + r, "replicaof 127.0.0.1 " + m));
        replica.addAll(auth);
        Path redisDir = root.resolve("redis");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(root.resolve("kafka"), 0);
                RedisProcess oldMaster = RedisProcess.start(redisDir.resolve("m"), "master", m, master, false);
                RedisProcess newMaster = RedisProcess.start(redisDir.resolve("r"), "replica", r, replica, false);
                RedisProcess sentinel = RedisProcess.start(
                        redisDir.resolve("s"),
                        "sentinel",
                        s,
                        List.of(
                                "port " + s,
                                "sentinel monitor coupons 127.0.0.1 " + m + " 1",
                                "sentinel auth-pass coupons " + PASSWORD,
                                "sentinel down-after-milliseconds coupons 1000",
                                "sentinel failover-timeout coupons 10000"),
                        true)) {
            await("the replica to sync and the Sentinel to know it", () -> {
                try (Jedis j = new Jedis("127.0.0.1", r);
                        Jedis sj = new Jedis("127.0.0.1", s)) {
                    j.auth(PASSWORD);
                    return j.info("replication").contains("master_link_status:up")
                            && !sj.sentinelReplicas("coupons").isEmpty();
                }
            });

            Assignment answer = Assignment.random(23, 300_000, 3);
            Path input = Files.createDirectories(root.resolve("input"));
            for (int i = 0; i < SOURCES.size(); i++) {
                Files.write(input.resolve(SOURCES.get(i) + ".gz"), PipelineEndToEndIT.lines(answer.codesOf(i)));
            }
            Path routes = root.resolve("routes");
            SourcesYaml.write(routes, SOURCES, "sentinel");
            List<String> cmd = new ArrayList<>(List.of(TestJvm.JAVA, "-Xmx512m"));
            cmd.addAll(TestJvm.FLAGS);
            cmd.addAll(List.of(
                    "-Dcoupon.input-dir=" + input,
                    "-Dcoupon.routes-dir=" + routes,
                    "-Dcoupon.sample.generate-if-empty=false",
                    "-Dcoupon.input.stable-seconds=0",
                    "-Dcoupon.kafka.brokers=" + kafka.bootstrapServers(),
                    "-Dcoupon.kafka.partitions=4",
                    "-Dcoupon.kafka.control-topic=sentinel.control",
                    "-Dcoupon.kafka.group-id=sentinel",
                    "-Dcoupon.redis.sentinel.master=coupons",
                    "-Dcoupon.redis.sentinel.nodes=127.0.0.1:" + s,
                    "-Dcoupon.redis.timeout-ms=2000",
                    "-Dcoupon.publish.retry-delay-ms=500",
                    "-Dcoupon.redis.key=coupons:valid",
                    "-jar",
                    JAR.toString(),
                    "--once"));
            Path log = root.resolve("pipeline.log");
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("COUPON_REDIS_PASSWORD", PASSWORD);
            Process p = pb.start();
            // the run passed its preflight on the old master and is reading its files: kill the master now
            await("the run to read its files", () -> Files.readString(log).contains("reading source") || !p.isAlive());
            oldMaster.kill9();
            int killedAt = Files.readString(log, StandardCharsets.UTF_8).length();
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "--once did not end");
            String text = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), text);
            String afterKill = text.substring(killedAt);
            assertTrue(
                    afterKill.contains("all sources sent") && afterKill.contains("published"),
                    "the run was still to be published when the master died: " + afterKill);
            System.out.println(afterKill);

            String sentinelLog = Files.readString(sentinel.log);
            assertTrue(sentinelLog.contains("+switch-master coupons 127.0.0.1 " + m + " 127.0.0.1 " + r), sentinelLog);
            try (Jedis j = new Jedis("127.0.0.1", r)) {
                j.auth(PASSWORD);
                assertEquals(answer.valid(), j.smembers("coupons:valid"));
                assertEquals(Set.of(), j.keys("coupons:valid:staging:*"));
            }
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, Check check) {
        org.awaitility.Awaitility.await(what)
                .atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(100))
                .ignoreExceptions()
                .until(check::ok);
    }
}
