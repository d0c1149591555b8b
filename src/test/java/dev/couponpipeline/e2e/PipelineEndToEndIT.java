package dev.couponpipeline.e2e;

import static dev.couponpipeline.files.GzipFixtures.gzip;
import static dev.couponpipeline.files.GzipFixtures.multiMember;
import static dev.couponpipeline.files.GzipFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.e2e.PipelineHarness.Outcome;
import dev.couponpipeline.e2e.PipelineHarness.Scenario;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the whole pipeline (camel-main, a real KRaft broker, a real redis-server) publishes exactly the codes
 * seen in at least two sources, replaces the set on the next run, and leaves the live set alone on bad input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PipelineEndToEndIT {

    private static final String ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private PipelineHarness harness;

    @BeforeAll
    void startInfrastructure(@TempDir Path root) throws Exception {
        harness = new PipelineHarness(root);
    }

    @AfterAll
    void stopInfrastructure() throws Exception {
        harness.close();
    }

    /** Which sources hold each code; the expected valid set follows from it by counting, nothing else. */
    static final class Assignment {
        final Map<String, Set<Integer>> sourcesOf = new LinkedHashMap<>();

        Set<String> valid() {
            Set<String> v = new HashSet<>();
            sourcesOf.forEach((code, s) -> {
                if (s.size() >= 2) {
                    v.add(code);
                }
            });
            return v;
        }

        List<String> codesOf(int source) {
            List<String> out = new ArrayList<>();
            sourcesOf.forEach((code, s) -> {
                if (s.contains(source)) {
                    out.add(code);
                }
            });
            return out;
        }

        static Assignment random(long seed, int codes, int sources) {
            Random r = new Random(seed);
            Assignment a = new Assignment();
            while (a.sourcesOf.size() < codes) {
                StringBuilder sb = new StringBuilder();
                int len = 8 + r.nextInt(3);
                for (int i = 0; i < len; i++) {
                    sb.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
                }
                Set<Integer> in = new HashSet<>();
                for (int s = 0; s < sources; s++) {
                    if (r.nextInt(3) == 0) {
                        in.add(s);
                    }
                }
                a.sourcesOf.put(sb.toString(), in);
            }
            return a;
        }
    }

    /** Plain LF lines, one code each. */
    static byte[] lines(List<String> codes) {
        return gzip(String.join("\n", codes) + "\n");
    }

    @Test
    void should_publish_codes_seen_in_two_sources() throws Exception {
        Scenario s = harness.scenario("known-set", List.of("s1", "s2", "s3", "s4"));
        Assignment a = Assignment.random(1, 3000, 3);
        // case matters: these two differ only in case and each is in one source
        a.sourcesOf.put("HappyHrs", Set.of(0));
        a.sourcesOf.put("HAPPYHRS", Set.of(1));

        // s1: CRLF lines, every code twice (in-file duplicates count once), split over three gzip members
        List<String> c1 = a.codesOf(0);
        StringBuilder t1 = new StringBuilder();
        for (String c : c1) {
            t1.append(c).append("\r\n");
        }
        for (String c : c1) {
            t1.append(c).append("\r\n");
        }
        String text1 = t1.toString();
        int third = text1.length() / 3;
        // cut at line ends so no code is split across members by the test itself
        int cut1 = text1.indexOf('\n', third) + 1;
        int cut2 = text1.indexOf('\n', 2 * third) + 1;
        write(s.file("s1"), multiMember(text1.substring(0, cut1), text1.substring(cut1, cut2), text1.substring(cut2)));

        // s2: several codes a line, punctuation and underscores between them, plus runs that are not codes
        List<String> c2 = a.codesOf(1);
        StringBuilder t2 = new StringBuilder();
        String[] seps = {",", ";", " ", "_", "|", "\u00e9"};
        for (int i = 0; i < c2.size(); i++) {
            t2.append(c2.get(i)).append(seps[i % seps.length]);
            if (i % 5 == 4) {
                t2.append("TOOLONGRUN1\tshort\n");
            }
        }
        write(s.file("s2"), gzip(t2.toString().getBytes(StandardCharsets.ISO_8859_1)));

        // s3: plain lines, no final newline
        write(s.file("s3"), gzip(String.join("\n", a.codesOf(2))));
        // s4: an empty (but intact) gzip file: a source with no codes
        write(s.file("s4"), gzip(""));

        Outcome o = s.runOnce();
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("published"), o.out());
        Set<String> expected = a.valid();
        assertTrue(expected.size() > 500, "the fixture has overlaps");
        assertFalse(expected.contains("HAPPYHRS"));
        assertEquals(expected, s.liveSet());
        Map<String, String> meta = s.meta();
        assertEquals(Integer.toString(expected.size()), meta.get("codes"));
        assertEquals(Integer.toString(2 * c1.size()), meta.get("source.s1.codes"));
        assertEquals(Integer.toString(c2.size()), meta.get("source.s2.codes"));
        assertEquals("0", meta.get("source.s4.codes"));
        assertEquals(Set.of(), s.stagingKeys());
    }

    @Test
    void should_replace_the_set_on_the_next_run() throws Exception {
        Scenario s = harness.scenario("replace", List.of("a", "b", "c"));
        write(s.file("a"), lines(List.of("KEEPME001", "DROPME001", "ONLYINA01")));
        write(s.file("b"), lines(List.of("KEEPME001", "DROPME001")));
        write(s.file("c"), lines(List.of("NEWCODE01")));
        Outcome first = s.runOnce();
        assertEquals(0, first.exitCode(), first.err());
        assertEquals(Set.of("KEEPME001", "DROPME001"), s.liveSet());
        String firstRun = s.meta().get("runId");

        write(s.file("b"), lines(List.of("KEEPME001", "NEWCODE01")));
        Outcome second = s.runOnce();
        assertEquals(0, second.exitCode(), second.err());
        assertEquals(Set.of("KEEPME001", "NEWCODE01"), s.liveSet());
        assertTrue(s.meta().get("runId").compareTo(firstRun) > 0);
        assertEquals(Set.of(), s.stagingKeys());
    }

    @Test
    void should_keep_the_live_set_when_a_source_is_bad() throws Exception {
        Scenario s = harness.scenario("bad-input", List.of("a", "b", "c"));
        write(s.file("a"), lines(List.of("GOODCODE1", "GOODCODE2")));
        write(s.file("b"), lines(List.of("GOODCODE1", "GOODCODE3")));
        write(s.file("c"), lines(List.of("GOODCODE2", "GOODCODE3")));
        assertEquals(0, s.runOnce().exitCode());
        Set<String> live = s.liveSet();
        Map<String, String> meta = s.meta();
        assertEquals(Set.of("GOODCODE1", "GOODCODE2", "GOODCODE3"), live);

        byte[] good = Files.readAllBytes(s.file("b"));
        Map<String, byte[]> broken = new LinkedHashMap<>();
        broken.put("truncated", Arrays.copyOf(gzip("GOODCODE1\n".repeat(5000)), 60));
        broken.put("not gzip", "GOODCODE1\nGOODCODE3\n".getBytes(StandardCharsets.US_ASCII));
        broken.put("empty", new byte[0]);
        broken.put("CRC32 mismatch", corruptCrc(gzip("GOODCODE1\nBADCODE99\n")));
        broken.put("file not found", null);
        for (Map.Entry<String, byte[]> b : broken.entrySet()) {
            Files.deleteIfExists(s.file("b"));
            if (b.getValue() != null) {
                write(s.file("b"), b.getValue());
            }
            Outcome o = s.runOnce();
            assertEquals(1, o.exitCode(), b.getKey() + ": " + o.out());
            assertTrue(o.err().contains(s.file("b").toString()), b.getKey() + ": " + o.err());
            assertTrue(o.err().contains(b.getKey()), b.getKey() + ": " + o.err());
            assertEquals(live, s.liveSet(), b.getKey());
            assertEquals(meta, s.meta(), b.getKey());
            assertEquals(Set.of(), s.stagingKeys(), b.getKey());
        }
        write(s.file("b"), good);
        assertEquals(0, s.runOnce().exitCode());
        assertEquals(live, s.liveSet());
    }

    private static byte[] corruptCrc(byte[] gz) {
        byte[] bad = gz.clone();
        bad[bad.length - 8] ^= 0x01;
        return bad;
    }

    @Test
    void should_give_the_same_set_with_one_record_per_code() throws Exception {
        Scenario s = harness.scenario("per-code", List.of("x", "y", "z"));
        Assignment a = Assignment.random(2, 400, 3);
        write(s.file("x"), lines(a.codesOf(0)));
        write(s.file("y"), lines(a.codesOf(1)));
        write(s.file("z"), lines(a.codesOf(2)));
        s.settings.put("coupon.kafka.codes-per-record", "1");
        Outcome o = s.runOnce();
        assertEquals(0, o.exitCode(), o.err());
        assertEquals(a.valid(), s.liveSet());
    }

    @Test
    void should_hold_an_empty_valid_set_and_publish_it_with_the_guard_off() throws Exception {
        Scenario s = harness.scenario("empty-set", List.of("a", "b", "c"));
        write(s.file("a"), lines(List.of("SHARED001")));
        write(s.file("b"), lines(List.of("SHARED001")));
        write(s.file("c"), lines(List.of("ALONE0003")));
        assertEquals(0, s.runOnce().exitCode());
        assertEquals(Set.of("SHARED001"), s.liveSet());

        // nothing is valid any more: the guard before the swap holds the run (exit code 3), the live set stays
        write(s.file("b"), lines(List.of("ALONE0002")));
        Outcome held = s.runOnce();
        assertEquals(3, held.exitCode(), held.out() + held.err());
        assertTrue(held.out().contains("its valid set is empty"), held.out());
        assertEquals(Set.of("SHARED001"), s.liveSet());

        // with the guard off (100) an empty valid set is published as an empty set
        s.settings.put("coupon.publish.max-removed-percent", "100");
        Outcome o = s.runOnce();
        assertEquals(0, o.exitCode(), o.err());
        assertEquals(Set.of(), s.liveSet());
        assertEquals("0", s.meta().get("codes"));
        assertEquals(Set.of(), s.stagingKeys());
    }

    @Test
    void should_wait_for_a_file_still_being_written_and_read_all_of_it() throws Exception {
        Scenario s = harness.scenario("slow-writer", List.of("a", "b", "c"));
        Assignment a = Assignment.random(4, 3000, 3);
        write(s.file("a"), lines(a.codesOf(0)));
        write(s.file("b"), lines(a.codesOf(1)));
        byte[] c = lines(a.codesOf(2));
        s.settings.put("coupon.input.stable-seconds", "2");
        s.settings.put("coupon.input.wait-minutes", "1");
        // c arrives in four pieces, 600 ms apart, while the run starts: read before the end, it is a cut gzip
        Files.write(s.file("c"), Arrays.copyOf(c, c.length / 4));
        Thread writer = new Thread(() -> {
            try {
                for (int i = 2; i <= 4; i++) {
                    Thread.sleep(600);
                    Files.write(
                            s.file("c"),
                            Arrays.copyOfRange(c, c.length * (i - 1) / 4, c.length * i / 4),
                            java.nio.file.StandardOpenOption.APPEND);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        long t0 = System.nanoTime();
        Outcome o = s.runOnce();
        writer.join();
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(System.nanoTime() - t0 > TimeUnit.MILLISECONDS.toNanos(3800), "it waited for the writer");
        assertEquals(a.valid(), s.liveSet(), "the complete content");
    }

    @Test
    void should_wait_for_done_files_then_archive_the_run() throws Exception {
        Scenario s = harness.scenario("done-file", List.of("a", "b", "c"));
        Assignment a = Assignment.random(5, 2000, 3);
        write(s.file("a"), lines(a.codesOf(0)));
        write(s.file("b"), lines(a.codesOf(1)));
        write(s.file("c"), lines(a.codesOf(2)));
        Path archive = s.input.resolveSibling("archive");
        s.settings.put("coupon.input.done-file", "${file:name}.done");
        s.settings.put("coupon.input.wait-minutes", "1");
        s.settings.put("coupon.input.archive-dir", archive.toString());
        java.util.concurrent.CompletableFuture<Outcome> run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return s.runOnce();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(3000);
        assertFalse(run.isDone(), "no done file yet: the run waits");
        assertEquals(Map.of(), s.meta());
        for (String n : List.of("a", "b", "c")) {
            Files.writeString(s.input.resolve(n + ".gz.done"), "");
        }
        Outcome o = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, o.exitCode(), o.err());
        assertEquals(a.valid(), s.liveSet());
        // published: the files and their done files moved to archive/<run id>/
        Path dir = archive.resolve(s.meta().get("runId"));
        for (String n : List.of("a.gz", "a.gz.done", "b.gz", "b.gz.done", "c.gz", "c.gz.done")) {
            assertTrue(Files.exists(dir.resolve(n)), n + " archived");
            assertFalse(Files.exists(s.input.resolve(n)), n + " gone from the input directory");
        }
    }

    @Test
    void should_read_zip_and_text_sources_and_name_the_entry_of_a_bad_zip() throws Exception {
        Scenario s = harness.scenario("zip", Map.of("a", "a.zip", "b", "b.txt", "c", "c.gz"));
        Assignment a = Assignment.random(6, 3000, 3);
        List<String> zipped = a.codesOf(0);
        int half = zipped.size() / 2;
        // two entries, the first without a final newline: their lines must not run together
        byte[] zip = dev.couponpipeline.files.GzipFixtures.zip(
                "first.txt",
                String.join("\n", zipped.subList(0, half)),
                "second.txt",
                String.join("\n", zipped.subList(half, zipped.size())) + "\n");
        write(s.input.resolve("a.zip"), zip);
        Files.writeString(s.input.resolve("b.txt"), String.join("\n", a.codesOf(1)) + "\n");
        write(s.input.resolve("c.gz"), lines(a.codesOf(2)));
        Outcome o = s.runOnce();
        assertEquals(0, o.exitCode(), o.err());
        assertEquals(a.valid(), s.liveSet());
        assertEquals(Integer.toString(zipped.size()), s.meta().get("source.a.codes"));

        Map<String, String> meta = s.meta();
        byte[] corrupt = zip.clone();
        corrupt[corrupt.length / 2] ^= 0x5a; // inside the second entry's data
        write(s.input.resolve("a.zip"), corrupt);
        Outcome bad = s.runOnce();
        assertEquals(1, bad.exitCode(), bad.out());
        assertTrue(bad.err().contains(s.input.resolve("a.zip") + ": entry second.txt"), bad.err());
        assertEquals(a.valid(), s.liveSet(), "the live set stays");
        assertEquals(meta, s.meta());
    }

    @Test
    void should_answer_the_api_while_running_as_a_service() throws Exception {
        Scenario s = harness.scenario("api", List.of("a", "b", "c"));
        Assignment a = Assignment.random(3, 20_000, 3);
        write(s.file("a"), lines(a.codesOf(0)));
        write(s.file("b"), lines(a.codesOf(1)));
        write(s.file("c"), lines(a.codesOf(2)));
        int port = freePort();
        int managementPort = freePort();
        AtomicReference<Main> main = new AtomicReference<>();
        Thread service = s.startService(
                Map.of(
                        "coupon.http.port",
                        Integer.toString(port),
                        "coupon.management.port",
                        Integer.toString(managementPort),
                        "coupon.http.token",
                        "s3cret-run-token",
                        "coupon.schedule.run-on-start",
                        "true"),
                main::set);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String base = "http://127.0.0.1:" + port;
        try {
            String[] meta = {""};
            org.awaitility.Awaitility.await("the service to publish the first run")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .failFast("the service stopped", () -> !service.isAlive())
                    .ignoreExceptionsInstanceOf(java.io.IOException.class) // not listening yet
                    .until(() -> (meta[0] = get(http, base + "/coupons").body())
                            .contains("\"codes\":" + a.valid().size()));
            assertTrue(meta[0].contains("\"runId\":\"20"), meta[0]);

            String validCode = a.valid().iterator().next();
            String invalidCode = a.sourcesOf.entrySet().stream()
                    .filter(e -> e.getValue().size() == 1)
                    .findFirst()
                    .orElseThrow()
                    .getKey();
            HttpResponse<String> yes = get(http, base + "/coupons/" + validCode);
            assertEquals(200, yes.statusCode());
            assertEquals("{\"code\":\"" + validCode + "\",\"valid\":true}", yes.body());
            HttpResponse<String> no = get(http, base + "/coupons/" + invalidCode);
            assertEquals("{\"code\":\"" + invalidCode + "\",\"valid\":false}", no.body());
            HttpResponse<String> bad = get(http, base + "/coupons/ABC");
            assertEquals(400, bad.statusCode());
            assertEquals(
                    "application/problem+json",
                    bad.headers().firstValue("Content-Type").orElse(""));
            assertEquals(
                    "{\"type\":\"urn:coupon-pipeline:problem:not-a-code\",\"title\":\"Not a code\","
                            + "\"status\":400,\"detail\":\"the pattern " + CodePattern.DEFAULT.replace("\\", "\\\\")
                            + " can never produce it\",\"code\":\"ABC\"}",
                    bad.body());

            // the near cache: the second answer is the cached one, and an out-of-band swap (a new run id in the
            // metadata, the code removed) is seen within the bound
            String cacheHits = "coupon_api_cache_hits_total ";
            double hitsBefore = meter(
                    get(http, "http://127.0.0.1:" + managementPort + "/observe/metrics")
                            .body(),
                    cacheHits);
            for (int i = 0; i < 5; i++) {
                assertEquals(
                        "{\"code\":\"" + validCode + "\",\"valid\":true}",
                        get(http, base + "/coupons/" + validCode).body());
            }
            double hitsAfter = meter(
                    get(http, "http://127.0.0.1:" + managementPort + "/observe/metrics")
                            .body(),
                    cacheHits);
            assertTrue(hitsAfter - hitsBefore >= 3, "cached answers: " + hitsBefore + " -> " + hitsAfter);
            String scrape = get(http, "http://127.0.0.1:" + managementPort + "/observe/metrics")
                    .body();
            assertFalse(
                    java.util.regex.Pattern.compile("(?m)^camel_exchange_event_notifier_seconds_count\\{[^}]*"
                                    + "routeId=\"check-code\"[^}]*} [1-9]")
                            .matcher(scrape)
                            .find(),
                    "GET /coupons/{code} is answered on the event loop, not by the Camel route");
            // the pipeline's threads below the API's (Java priorities; the OS applies them with the JVM flags)
            Map<String, Integer> priorities = new java.util.TreeMap<>();
            Thread.getAllStackTraces().keySet().forEach(t -> priorities.put(t.getName(), t.getPriority()));
            for (Map.Entry<String, Integer> kind : Map.of(
                            "vert.x-eventloop-thread",
                            Thread.NORM_PRIORITY,
                            "vert.x-worker-thread",
                            Thread.NORM_PRIORITY,
                            " - seda://build-part",
                            Thread.MIN_PRIORITY,
                            " - KafkaConsumer[",
                            Thread.MIN_PRIORITY,
                            "kafka-producer-network-thread",
                            Thread.MIN_PRIORITY)
                    .entrySet()) {
                List<Integer> seen = priorities.entrySet().stream()
                        .filter(e -> e.getKey().contains(kind.getKey()))
                        .map(Map.Entry::getValue)
                        .distinct()
                        .toList();
                assertEquals(List.of(kind.getValue()), seen, kind.getKey() + " in " + priorities);
            }

            // a body that is not JSON: 400 problem details
            HttpResponse<String> notJson = postJson(http, base + "/coupons/check", "{\"codes\":[");
            assertEquals(400, notJson.statusCode(), notJson.body());
            assertEquals(
                    "application/problem+json",
                    notJson.headers().firstValue("Content-Type").orElse(""));
            assertTrue(notJson.body().startsWith("{\"type\":\"urn:coupon-pipeline:problem:not-json\""), notJson.body());
            String liveRun = s.meta().get("runId");
            try (redis.clients.jedis.Jedis j = harness.jedis()) {
                j.srem(s.key, validCode);
                j.hset(s.key + ":meta", "runId", "20991231T000000.000Z");
                long changed = System.nanoTime();
                String answer = "";
                while (System.nanoTime() - changed < TimeUnit.SECONDS.toNanos(5)
                        && !answer.endsWith("\"valid\":false}")) {
                    answer = get(http, base + "/coupons/" + validCode).body();
                }
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed);
                assertEquals("{\"code\":\"" + validCode + "\",\"valid\":false}", answer, "after " + tookMs + " ms");
                assertTrue(tookMs < 2000, "seen after " + tookMs + " ms (bound 100 ms, and a loaded machine)");
                j.sadd(s.key, validCode);
                j.hset(s.key + ":meta", "runId", liveRun);
            }

            // the OpenAPI document, from the REST definitions
            HttpResponse<String> doc = get(http, base + "/api-doc");
            assertEquals(200, doc.statusCode(), doc.body());
            com.fasterxml.jackson.databind.JsonNode api =
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(doc.body());
            assertTrue(api.path("openapi").asText().startsWith("3."), doc.body());
            for (String path : List.of(
                    "/coupons/{code}", "/coupons/check", "/coupons", "/runs", "/runs/{id}", "/runs/{id}/publish")) {
                assertTrue(
                        api.path("paths").has(path),
                        path + " in " + api.path("paths").toString());
            }
            assertEquals(
                    "boolean",
                    api.at("/components/schemas/Validity/properties/valid/type").asText(),
                    doc.body());
            assertTrue(api.at("/paths/~1runs/post/security").toString().contains("token"), doc.body());

            // many codes at once, in order, with duplicates and a string no code can be
            List<String> basket = new ArrayList<>();
            Map<String, Boolean> expected = new LinkedHashMap<>();
            a.sourcesOf.entrySet().stream().limit(300).forEach(e -> {
                basket.add(e.getKey());
                expected.put(e.getKey(), e.getValue().size() >= 2);
            });
            basket.add("ABC");
            basket.add(basket.get(0));
            StringBuilder body = new StringBuilder("{\"codes\":[");
            for (int i = 0; i < basket.size(); i++) {
                body.append(i == 0 ? "" : ",").append('"').append(basket.get(i)).append('"');
            }
            HttpResponse<String> checked =
                    postJson(http, base + "/coupons/check", body.append("]}").toString());
            assertEquals(200, checked.statusCode(), checked.body());
            StringBuilder want = new StringBuilder("{\"results\":[");
            for (int i = 0; i < basket.size(); i++) {
                String code = basket.get(i);
                want.append(i == 0 ? "" : ",")
                        .append("{\"code\":\"")
                        .append(code)
                        .append("\",\"valid\":")
                        .append(expected.getOrDefault(code, false))
                        .append('}');
            }
            assertEquals(want.append("]}").toString(), checked.body());
            assertTrue(expected.containsValue(true) && expected.containsValue(false), "the basket has both kinds");
            StringBuilder tooMany = new StringBuilder("{\"codes\":[\"A\"");
            for (int i = 0; i < 1000; i++) {
                tooMany.append(",\"A\"");
            }
            HttpResponse<String> refused =
                    postJson(http, base + "/coupons/check", tooMany.append("]}").toString());
            assertEquals(400, refused.statusCode(), refused.body());

            // starting a run needs the token: none is 401, a wrong one 403, even one differing in its last byte
            HttpResponse<String> anonymous = post(http, base + "/runs", null);
            assertEquals(401, anonymous.statusCode(), anonymous.body());
            assertEquals(
                    "{\"type\":\"urn:coupon-pipeline:problem:token-required\",\"title\":\"Token required\","
                            + "\"status\":401,\"detail\":\"this request changes state: send Authorization: Bearer"
                            + " <coupon.http.token>\"}",
                    anonymous.body());
            assertEquals(
                    "application/problem+json",
                    anonymous.headers().firstValue("Content-Type").orElse(""));
            assertEquals(
                    "Bearer realm=\"coupon-pipeline\"",
                    anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
            HttpResponse<String> wrongToken = post(http, base + "/runs", "Bearer s3cret-run-tokem");
            assertEquals(403, wrongToken.statusCode());
            assertEquals(
                    "{\"type\":\"urn:coupon-pipeline:problem:wrong-token\",\"title\":\"Wrong token\","
                            + "\"status\":403,\"detail\":\"the bearer token is not the one configured in"
                            + " coupon.http.token\"}",
                    wrongToken.body());
            assertEquals(401, post(http, base + "/runs", "Bearer ").statusCode(), "an empty token is no token");
            assertEquals(401, post(http, base + "/runs", "Basic czNjcmV0").statusCode());
            assertFalse(get(http, base + "/coupons").body().contains("runInFlight"), "refused requests start nothing");

            // the files are those of the live run: a run is skipped, unless forced
            HttpResponse<String> unchanged = post(http, base + "/runs", "Bearer s3cret-run-token");
            assertEquals(200, unchanged.statusCode(), unchanged.body());
            assertTrue(
                    unchanged
                            .body()
                            .startsWith("{\"status\":\"skipped\",\"reason\":\"the input files are those"
                                    + " of the live run "),
                    unchanged.body());
            HttpResponse<String> started = post(http, base + "/runs?force=true", "Bearer s3cret-run-token");
            assertEquals(202, started.statusCode(), started.body());
            HttpResponse<String> busy = post(http, base + "/runs?force=true", "Bearer s3cret-run-token");
            assertEquals(409, busy.statusCode(), busy.body());
            assertTrue(busy.body().startsWith("{\"type\":\"urn:coupon-pipeline:problem:run-in-flight\""), busy.body());

            // health and metrics moved to the management port: not on the API's any more
            assertEquals(404, get(http, base + "/observe/health").statusCode());
            String mgmt = "http://127.0.0.1:" + managementPort;
            assertTrue(get(http, mgmt + "/observe/health").body().contains("UP"));
            String metrics = get(http, mgmt + "/observe/metrics").body();
            assertFalse(metrics.contains("s3cret-run-token"), "no secret in the metrics");
            assertFalse(get(http, base + "/coupons").body().contains("s3cret-run-token"), "no secret in GET /coupons");
            assertTrue(metrics.contains("coupon_runs_published_total"), "our meters are exported");
            assertTrue(metrics.contains("coupon_runs_skipped_total{reason=\"unchanged\"} 1.0"), "the skip counts");
            assertTrue(metrics.contains("coupon_codes_read_total{source=\"a\"}"), "per-source counts are exported");
        } finally {
            PipelineHarness.stopService(main, service);
        }
        assertFalse(service.isAlive());
    }

    @Test
    void should_refuse_to_start_on_a_topic_that_would_lose_a_runs_records() throws Exception {
        Scenario s = harness.scenario("short-retention", List.of("a", "b", "c"));
        write(s.file("a"), gzip("AAAAAAAA\n"));
        write(s.file("b"), gzip("AAAAAAAA\n"));
        write(s.file("c"), gzip("BBBBBBBB\n"));
        String control = s.settings.get("coupon.kafka.control-topic");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", s.settings.get("coupon.kafka.brokers")))) {
            // as an operator might have made it: the right partitions, but records kept for ten seconds only
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(control, 4, (short) 1)
                            .configs(Map.of("retention.ms", "10000"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        Outcome o = s.runOnce();
        assertEquals(1, o.exitCode(), o.err());
        assertTrue(
                o.err()
                        .contains("topic " + control + " keeps records for retention.ms=10000, shorter than a run"
                                + " may take (coupon.aggregator.completion-timeout-ms=30000)"),
                o.err());
        assertEquals(Set.of(), s.liveSet());
    }

    @Test
    void should_refuse_to_start_a_producer_open_to_the_network_without_a_token() throws Exception {
        Scenario s = harness.scenario("exposed", List.of("a", "b", "c"));
        s.settings.put("coupon.http.host", "0.0.0.0");
        Outcome o = s.runOnce();
        assertEquals(1, o.exitCode(), o.err());
        assertTrue(o.err().contains("coupon.http.host is 0.0.0.0") && o.err().contains("coupon.http.token"), o.err());
        assertEquals(Set.of(), s.liveSet());
    }

    /** A meter's value in a Prometheus scrape (0 when absent). */
    private static double meter(String scrape, String nameAndSpace) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(nameAndSpace)) {
                return Double.parseDouble(line.substring(nameAndSpace.length()).trim());
            }
        }
        return 0;
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postJson(HttpClient http, String url, String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient http, String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A free port on loopback (the embedded broker's helper). */
    static int freePort() throws java.io.IOException {
        return dev.couponpipeline.boot.EmbeddedKafka.freePort();
    }
}
