package dev.couponpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.boot.EmbeddedKafka;
import dev.couponpipeline.e2e.PipelineEndToEndIT.Assignment;
import dev.couponpipeline.testing.RedisProcess;
import dev.couponpipeline.testing.SourcesYaml;
import dev.couponpipeline.testing.TestJvm;
import dev.couponpipeline.testing.TestTls;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The production shape, against real servers the test starts with key material it generates: a Kafka broker
 * whose client listener is SASL/SCRAM-SHA-512 over TLS, and a redis-server that speaks only TLS, has its default
 * user switched off and lets the pipeline's ACL user touch {@code coupons:*} and nothing else. The packaged jar
 * runs {@code --once} against them, with its secrets in environment variables as the README says to pass them;
 * its whole log is then searched for those secrets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SecuredPipelineIT {

    private static final Path JAR = Path.of("").toAbsolutePath().resolve("target/coupon-pipeline.jar");
    private static final List<String> SOURCES = List.of("a", "b", "c");

    /** Secrets unique to this run, so finding one in a log cannot be a coincidence. */
    private final String kafkaPassword = "kafka-pw-" + Long.toHexString(System.nanoTime());

    private final String redisPassword = "redis-pw-" + Long.toHexString(System.nanoTime() * 31);
    private final String adminPassword = "admin-pw-" + Long.toHexString(System.nanoTime() * 17);
    private final String httpToken = "http-token-" + Long.toHexString(System.nanoTime() * 7);
    private final AtomicInteger cases = new AtomicInteger();

    private Path root;
    private TestTls tls;
    private EmbeddedKafka kafka;
    private int kafkaSecurePort;
    private RedisProcess redis;
    private Assignment answer;

    @BeforeAll
    void startSecuredServers(@TempDir Path dir) throws Exception {
        root = dir;
        tls = TestTls.generate(dir.resolve("tls"));
        int plain = freePort();
        kafkaSecurePort = freePort();
        int controller = freePort();
        Map<String, String> broker = new LinkedHashMap<>();
        // PLAINTEXT stays for the broker itself and for this test's set-up; clients get SASL_SSL only
        broker.put(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + plain + ",SASL_SSL://127.0.0.1:" + kafkaSecurePort
                        + ",CONTROLLER://127.0.0.1:" + controller);
        broker.put(
                "advertised.listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL_SSL://127.0.0.1:" + kafkaSecurePort);
        broker.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        broker.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        broker.put(
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        broker.put("ssl.keystore.location", tls.keystore().toString());
        broker.put("ssl.keystore.password", tls.password());
        broker.put("ssl.key.password", tls.password());
        broker.put("ssl.keystore.type", "PKCS12");
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), plain, controller, broker);
        Properties admin = new Properties();
        admin.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin a = Admin.create(admin)) {
            a.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                            "coupon", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), kafkaPassword)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }

        int tlsPort = freePort();
        redis = RedisProcess.start(
                dir.resolve("redis"),
                "redis",
                tlsPort,
                List.of(
                        "port 0",
                        "tls-port " + tlsPort,
                        "tls-cert-file " + tls.certPem(),
                        "tls-key-file " + tls.keyPem(),
                        "tls-ca-cert-file " + tls.certPem(),
                        "tls-auth-clients no",
                        "user default off",
                        "user coupon on >" + redisPassword + " ~coupons:* &* +@all -@dangerous",
                        "user admin on >" + adminPassword + " ~* &* +@all"),
                false);

        answer = Assignment.random(11, 30_000, 3);
        Path input = Files.createDirectories(root.resolve("input"));
        for (int s = 0; s < SOURCES.size(); s++) {
            Files.write(input.resolve(SOURCES.get(s) + ".gz"), PipelineEndToEndIT.lines(answer.codesOf(s)));
        }
    }

    @AfterAll
    void stopServers() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void should_publish_over_sasl_ssl_and_tls_with_an_acl_user_and_never_log_a_secret() throws Exception {
        Run run = new Run("ok");
        run.settings.put("coupon.redis.database", "2");
        Outcome o = run.once();
        assertEquals(0, o.exit, o.log);
        assertTrue(o.log.contains(" published: "), o.log);
        assertTrue(o.log.contains("Settings read from files in") && o.log.contains("[coupon.redis.password]"), o.log);
        assertEquals(answer.valid(), admin(j -> {
            j.select(2);
            return j.smembers(run.key);
        }));
        assertEquals(Set.of(), admin(j -> j.keys(run.key + "*")), "database 0 holds nothing of the run");
        assertEquals(Set.of(), admin(j -> {
            j.select(2);
            return j.keys(run.key + ":staging:*");
        }));
        for (String secret : List.of(kafkaPassword, redisPassword, httpToken, tls.password())) {
            assertFalse(o.log.contains(secret), "a secret is in the log: " + secret);
        }
    }

    @Test
    void should_fail_at_start_naming_kafka_authentication_when_the_password_is_wrong() throws Exception {
        Run run = new Run("badkafka");
        run.seedLiveSet();
        run.env.put("COUPON_KAFKA_SASL_JAAS_CONFIG", jaas("coupon", kafkaPassword + "-wrong"));
        Outcome o = run.once();
        assertEquals(1, o.exit, o.log);
        assertTrue(
                o.lastLine.contains("Kafka authentication failed at 127.0.0.1:" + kafkaSecurePort)
                        && o.lastLine.contains("SASL_SSL"),
                o.lastLine);
        assertTrue(o.seconds < 60, "failed after " + o.seconds + " s");
        run.assertLiveSetUntouched();
        assertFalse(o.log.contains(kafkaPassword), "the wrong password contains the right one: never logged");
    }

    @Test
    void should_fail_within_seconds_naming_redis_and_its_answer_when_redis_refuses() throws Exception {
        // the default user is off: no credentials at all is NOAUTH (the defect: this ran 300 s, then "stalled")
        Run noAuth = new Run("noauth");
        noAuth.seedLiveSet();
        noAuth.secrets.remove("coupon.redis.password");
        noAuth.settings.remove("coupon.redis.username");
        Run wrong = new Run("wrongpass");
        wrong.seedLiveSet();
        wrong.env.put("COUPON_REDIS_PASSWORD", redisPassword + "x"); // the environment outranks the file
        // the ACL lets the user touch coupons:* only
        Run outside = new Run("acl");
        outside.key = "other:" + outside.id;
        outside.settings.put("coupon.redis.key", outside.key);

        // three independent JVMs: run side by side, each on its own topics and key
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.concurrent.Future<Outcome> fNoAuth = pool.submit(noAuth::once);
            java.util.concurrent.Future<Outcome> fWrong = pool.submit(wrong::once);
            java.util.concurrent.Future<Outcome> fOutside = pool.submit(outside::once);

            Outcome o = fNoAuth.get();
            assertEquals(1, o.exit, o.log);
            assertTrue(
                    o.lastLine.contains("Redis at 127.0.0.1:" + redis.port + " over TLS refused the run")
                            && o.lastLine.contains("NOAUTH"),
                    o.lastLine);
            noAuth.assertLiveSetUntouched();
            assertTrue(o.seconds < 60, "failed after " + o.seconds + " s");
            System.out.printf("NOAUTH: --once exited 1 after %.1f s (three such JVMs side by side)%n", o.seconds);

            o = fWrong.get();
            assertEquals(1, o.exit, o.log);
            assertTrue(
                    o.lastLine.contains("Redis at 127.0.0.1:" + redis.port + " over TLS as user coupon refused")
                            && o.lastLine.contains("WRONGPASS"),
                    o.lastLine);
            wrong.assertLiveSetUntouched();

            o = fOutside.get();
            assertEquals(1, o.exit, o.log);
            assertTrue(o.lastLine.contains("NOPERM"), o.lastLine);
            assertEquals(Set.of(), admin(j -> j.keys("other:*")));
            assertTrue(o.seconds < 60, "failed after " + o.seconds + " s");
        } finally {
            pool.shutdownNow();
        }
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    /** One {@code --once} of the packaged jar, with its own topics, group and key. */
    final class Run {
        final String id;
        String key;
        final Map<String, String> settings = new LinkedHashMap<>();
        final Map<String, String> env = new LinkedHashMap<>();
        /** Files in coupon.secrets-dir, one per setting, as Docker and Kubernetes mount secrets. */
        final Map<String, String> secrets = new LinkedHashMap<>();

        Run(String name) throws Exception {
            id = name + cases.incrementAndGet();
            key = "coupons:" + id;
            Path routes = root.resolve(id).resolve("routes");
            SourcesYaml.write(routes, SOURCES, id);
            settings.put("coupon.input-dir", root.resolve("input").toString());
            settings.put("coupon.routes-dir", routes.toString());
            settings.put("coupon.sample.generate-if-empty", "false");
            settings.put("coupon.input.stable-seconds", "0"); // written whole before the run
            settings.put("coupon.kafka.partitions", "4");
            settings.put("coupon.kafka.control-topic", id + ".control");
            settings.put("coupon.kafka.group-id", "group-" + id);
            settings.put("coupon.aggregator.completion-timeout-ms", "60000");
            settings.put("coupon.kafka.brokers", "127.0.0.1:" + kafkaSecurePort);
            settings.put("coupon.kafka.security-protocol", "SASL_SSL");
            settings.put("coupon.kafka.sasl-mechanism", "SCRAM-SHA-512");
            settings.put(
                    "coupon.kafka.ssl-truststore-location", tls.truststore().toString());
            settings.put("coupon.redis.host", "127.0.0.1");
            settings.put("coupon.redis.port", Integer.toString(redis.port));
            settings.put("coupon.redis.ssl", "true");
            settings.put("coupon.redis.ssl.truststore", tls.truststore().toString());
            settings.put("coupon.redis.username", "coupon");
            settings.put("coupon.redis.key", key);
            // secrets as an operator passes them: environment variables or files, never on the command line
            env.put("COUPON_KAFKA_SASL_JAAS_CONFIG", jaas("coupon", kafkaPassword));
            env.put("COUPON_KAFKA_SSL_TRUSTSTORE_PASSWORD", tls.password());
            env.put("COUPON_REDIS_SSL_TRUSTSTORE_PASSWORD", tls.password());
            secrets.put("coupon.redis.password", redisPassword + "\n");
            env.put("COUPON_HTTP_TOKEN", httpToken);
        }

        /** A live set published before, which a failed run must leave exactly as it is. */
        void seedLiveSet() throws Exception {
            admin(j -> {
                j.sadd(key, "KEEPME001", "KEEPME002");
                j.hset(key + ":meta", Map.of("runId", "20000101T000000000Z-seed", "codes", "2"));
                return null;
            });
        }

        void assertLiveSetUntouched() throws Exception {
            assertEquals(Set.of("KEEPME001", "KEEPME002"), admin(j -> j.smembers(key)));
            assertEquals("20000101T000000000Z-seed", admin(j -> j.hget(key + ":meta", "runId")));
            assertEquals(Set.of(), admin(j -> j.keys(key + ":staging:*")));
        }

        Outcome once() throws Exception {
            List<String> cmd = new ArrayList<>(List.of(TestJvm.JAVA, "-Xmx512m"));
            cmd.addAll(TestJvm.FLAGS);
            Path secretsDir = Files.createDirectories(root.resolve(id).resolve("secrets"));
            for (Map.Entry<String, String> e : secrets.entrySet()) {
                Files.writeString(secretsDir.resolve(e.getKey()), e.getValue());
            }
            settings.put("coupon.secrets-dir", secretsDir.toString());
            settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.addAll(List.of("-jar", JAR.toString(), "--once"));
            Path log = root.resolve(id + ".log");
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(150, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("--once did not end: " + Files.readString(log));
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            String[] lines = text.strip().split("\n");
            return new Outcome(p.exitValue(), text, lines[lines.length - 1], (System.nanoTime() - t0) / 1e9);
        }
    }

    record Outcome(int exit, String log, String lastLine, double seconds) {}

    interface RedisCall<T> {
        T apply(Jedis j) throws Exception;
    }

    /** Looks at Redis as the admin user, over TLS with the test's trust store. */
    private <T> T admin(RedisCall<T> call) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.truststore())) {
            trust.load(in, tls.password().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        try (Jedis j = new Jedis(
                new HostAndPort("127.0.0.1", redis.port),
                DefaultJedisClientConfig.builder()
                        .ssl(true)
                        .sslSocketFactory(ssl.getSocketFactory())
                        .user("admin")
                        .password(adminPassword)
                        .build())) {
            return call.apply(j);
        }
    }

    /** A free port on loopback (the embedded broker's helper). */
    private static int freePort() throws java.io.IOException {
        return dev.couponpipeline.boot.EmbeddedKafka.freePort();
    }
}
