package dev.couponpipeline.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves settings resolve as Camel resolves them: system property, environment, operator file, defaults. */
class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void should_resolve_in_order_of_precedence() throws Exception {
        Path file = Files.writeString(
                dir.resolve("application.properties"),
                "coupon.kafka.brokers = filehost:9092\ncoupon.redis.key = file-key\ncoupon.http.port = 9999\n");
        Properties system = new Properties();
        system.setProperty("coupon.redis.key", "system-key");
        Settings s = Settings.load(
                file, Map.of("COUPON_KAFKA_BROKERS", "envhost:9092", "COUPON_REDIS_KEY", "env-key"), system);
        assertEquals("envhost:9092", s.get("coupon.kafka.brokers"));
        assertEquals("system-key", s.get("coupon.redis.key"));
        assertEquals(9999, s.getInt("coupon.http.port"));
        // from the defaults packaged with the build
        assertEquals(
                "coupons:valid:x",
                s.withOverrides(Map.of("coupon.redis.key", "coupons:valid:x")).get("coupon.redis.key"));
        assertEquals("10000", s.get("coupon.kafka.codes-per-record"));
    }

    @Test
    void should_read_one_setting_per_file_from_the_secrets_dir() throws Exception {
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("coupon.redis.password"), "p@ss word\n");
        Files.writeString(secrets.resolve("coupon.http.token"), "t0ken\r\n");
        Files.writeString(secrets.resolve("README"), "not a setting");
        Files.createDirectories(secrets.resolve("coupon.a-directory"));
        Settings s = Settings.load(dir.resolve("none.properties"), Map.of(), new Properties())
                .withOverrides(Map.of("coupon.secrets-dir", secrets.toString()));
        assertEquals(Map.of("coupon.redis.password", "p@ss word", "coupon.http.token", "t0ken"), s.secretFiles());
        assertEquals(
                Map.of(),
                Settings.load(dir.resolve("none.properties"), Map.of(), new Properties())
                        .secretFiles(),
                "no directory set: nothing read");
    }
}
