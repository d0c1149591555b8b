package dev.couponpipeline.e2e;

import static dev.couponpipeline.files.GzipFixtures.gzip;
import static dev.couponpipeline.files.GzipFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.couponpipeline.e2e.PipelineHarness.Outcome;
import dev.couponpipeline.e2e.PipelineHarness.Scenario;
import dev.couponpipeline.testing.ExternalTool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * What operators see and decide (real broker, real redis-server, the service over HTTP, a real browser): the run
 * history with codes added and removed, the guard that holds a run removing most of the live set, publishing and
 * discarding a held run, the status page, and the metrics the dashboard and the alert rules query.
 *
 * <p>The data sets are built from code sets chosen here: a set V is written to two of the three files and
 * disjoint one-file noise to each, so V is exactly the valid set and added/removed follow from set arithmetic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OperationsEndToEndIT {

    private static final String TOKEN = "ops-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PipelineHarness harness;
    private Path root;
    private int next;

    @BeforeAll
    void start(@TempDir Path root) throws Exception {
        this.root = root;
        harness = new PipelineHarness(root);
    }

    @AfterAll
    void stop() throws Exception {
        harness.close();
    }

    /** {@code n} codes never used before in this class. */
    private List<String> fresh(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(String.format("OPS%07d", next++));
        }
        return out;
    }

    /** Files a, b, c whose valid set is exactly {@code valid}: it goes to a and b, one-file noise to each. */
    private void writeRun(Scenario s, Set<String> valid) throws Exception {
        List<String> a = new ArrayList<>(valid);
        List<String> b = new ArrayList<>(valid);
        a.addAll(fresh(150));
        b.addAll(fresh(150));
        write(s.file("a"), gzip(String.join("\n", a) + "\n"));
        write(s.file("b"), gzip(String.join("\n", b) + "\n"));
        write(s.file("c"), gzip(String.join("\n", fresh(150)) + "\n"));
    }

    private static Set<String> minus(Set<String> x, Set<String> y) {
        Set<String> out = new HashSet<>(x);
        out.removeAll(y);
        return out;
    }

    private Map<String, String> history(Scenario s, String runId) {
        try (Jedis j = harness.jedis()) {
            return j.hgetAll(s.key + ":run:" + runId);
        }
    }

    private String heldRun(Scenario s) {
        try (Jedis j = harness.jedis()) {
            return j.hget(s.key + ":held", "runId");
        }
    }

    private static String runIdIn(String out) {
        Matcher m = Pattern.compile("run (\\d{8}T\\d{6}\\.\\d{3}Z)").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    @Test
    void should_hold_a_run_that_removes_most_of_the_live_set_and_swap_it_with_the_guard_off() throws Exception {
        Scenario s = harness.scenario("guard", List.of("a", "b", "c"));
        Set<String> first = new LinkedHashSet<>(fresh(1000));
        writeRun(s, first);
        Outcome o1 = s.runOnce();
        assertEquals(0, o1.exitCode(), o1.err());
        assertEquals(first, s.liveSet());
        Map<String, String> meta = s.meta();

        // keeps 200 of the 1000, adds 300: removes 80 % of the live set
        Set<String> second = new LinkedHashSet<>(new ArrayList<>(first).subList(0, 200));
        second.addAll(fresh(300));
        writeRun(s, second);
        Outcome held = s.runOnce();
        assertEquals(3, held.exitCode(), held.out() + held.err());
        String heldId = runIdIn(held.out());
        assertTrue(
                held.out().contains("HELD")
                        && held.out()
                                .contains("it would remove 800 of the live set's 1000"
                                        + " codes (80.0 %, more than coupon.publish.max-removed-percent = 50)"),
                held.out());
        assertEquals(first, s.liveSet(), "the live set is untouched");
        assertEquals(meta, s.meta());
        try (Jedis j = harness.jedis()) {
            assertEquals(second, j.smembers(s.key + ":staging:" + heldId), "the held run keeps its staged set");
            assertEquals(-1L, j.ttl(s.key + ":staging:" + heldId), "and it does not expire while held");
            assertEquals(-1L, j.ttl(s.key), "the live set never expires");
        }
        Map<String, String> h = history(s, heldId);
        assertEquals("held", h.get("state"));
        assertEquals(Integer.toString(minus(second, first).size()), h.get("added"));
        assertEquals(Integer.toString(minus(first, second).size()), h.get("removed"));
        assertEquals(heldId, heldRun(s));

        // the guard off: the same data swaps, and the held run, older than the new live one, is discarded
        s.settings.put("coupon.publish.max-removed-percent", "100");
        Outcome swapped = s.runOnce();
        assertEquals(0, swapped.exitCode(), swapped.err());
        String swappedId = runIdIn(swapped.out());
        assertTrue(swapped.out().contains("300 added, 800 removed"), swapped.out());
        assertEquals(second, s.liveSet());
        assertEquals("discarded", history(s, heldId).get("state"));
        assertEquals("replaced by the run " + swappedId, history(s, heldId).get("reason"));
        assertEquals(null, heldRun(s));
        assertEquals(Set.of(), s.stagingKeys(), "the discarded run's staged set is removed");

        // an empty valid set is held, whatever it removes
        s.settings.put("coupon.publish.max-removed-percent", "99");
        writeRun(s, Set.of());
        Outcome empty = s.runOnce();
        assertEquals(3, empty.exitCode(), empty.out() + empty.err());
        assertTrue(empty.out().contains("its valid set is empty"), empty.out());
        assertEquals(second, s.liveSet());
    }

    /**
     * Replay without the files. Runs of different sets: V1, then V2 (V1 and 100 more), then a held one (a tenth of
     * V1). A replay of the first run brings V1 back exactly, from Kafka (the files in the input directory are the
     * held run's, and stay there: a replay archives nothing). Then a newer held run, and Redis loses every key of
     * the pipeline: the watch rebuilds the run it last saw live (V1), not the newest complete run on Kafka (the
     * held one). Last, one partition's records are deleted: the replay says so and reads the files. An unknown run
     * is a 404.
     */
    @Test
    void should_rebuild_a_run_from_kafka_without_its_files() throws Exception {
        Scenario s = harness.scenario("replay", List.of("a", "b", "c"));
        Set<String> v1 = new LinkedHashSet<>(fresh(400));
        Set<String> v2 = new LinkedHashSet<>(v1);
        v2.addAll(fresh(100));
        Set<String> bad = new LinkedHashSet<>(new ArrayList<>(v1).subList(0, 40));
        writeRun(s, v1);
        int port = PipelineEndToEndIT.freePort();
        AtomicReference<Main> main = new AtomicReference<>();
        Path archive = root.resolve("replay-archive");
        Thread service = s.startService(
                Map.of(
                        "coupon.http.port",
                        Integer.toString(port),
                        "coupon.http.token",
                        TOKEN,
                        "coupon.schedule.run-on-start",
                        "true",
                        "coupon.input.archive-dir",
                        archive.toString(),
                        "coupon.live-set.check-interval-seconds",
                        "1",
                        "coupon.live-set.restore-min-interval-seconds",
                        "1"),
                main::set);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String base = "http://127.0.0.1:" + port;
        try {
            String run1 = awaitRun(
                            http,
                            base,
                            service,
                            r -> "published".equals(r.path("state").asText()))
                    .path("id")
                    .asText();
            assertEquals(v1, s.liveSet());
            writeRun(s, v2);
            String run2 = started(send(http, "POST", base + "/runs", TOKEN));
            assertEquals(
                    "published",
                    awaitEnd(http, base, service, run2).path("state").asText());
            assertEquals(v2, s.liveSet());
            writeRun(s, bad);
            String run3 = started(send(http, "POST", base + "/runs", TOKEN));
            assertEquals(
                    "held", awaitEnd(http, base, service, run3).path("state").asText());

            assertEquals(
                    401,
                    send(http, "POST", base + "/runs/" + run1 + "/replay", null).statusCode());
            HttpResponse<String> unknown = send(http, "POST", base + "/runs/19990101T000000.000Z/replay", TOKEN);
            assertEquals(404, unknown.statusCode(), unknown.body());
            HttpResponse<String> replayed = send(http, "POST", base + "/runs/" + run1 + "/replay", TOKEN);
            assertEquals(202, replayed.statusCode(), replayed.body());
            JsonNode answer = JSON.readTree(replayed.body());
            assertEquals("kafka", answer.path("from").asText(), replayed.body());
            assertEquals(run1, answer.path("replayOf").asText());
            String run4 = answer.path("runId").asText();
            JsonNode run = awaitEnd(http, base, service, run4);
            assertEquals("published", run.path("state").asText(), run.toString());
            assertEquals(run1, run.path("replayOf").asText(), run.toString());
            assertTrue(
                    v1.equals(s.liveSet()),
                    "the first run's set, not the files' (the held run's): "
                            + s.liveSet().size() + " codes");
            assertEquals(run4, s.meta().get("runId"));
            assertTrue(Files.exists(s.file("a")), "a replay moves no file to the archive");

            // a newer held run: the newest complete run on Kafka is not the live one
            String run5 = started(send(http, "POST", base + "/runs?force=true", TOKEN));
            assertEquals(
                    "held", awaitEnd(http, base, service, run5).path("state").asText());
            // Redis loses every key of this pipeline: the watch rebuilds run4's set from Kafka
            try (redis.clients.jedis.Jedis j = harness.jedis()) {
                for (String k : j.keys(s.key + "*")) {
                    j.del(k);
                }
            }
            org.awaitility.Awaitility.await("the live set restored from Kafka")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> v1.equals(s.liveSet()));
            assertTrue(
                    v1.equals(s.liveSet()),
                    "restored from Kafka: the run last live (" + v1.size() + " codes), not" + " the held one; "
                            + s.liveSet().size() + " codes");
            String run6 = s.meta().get("runId");
            assertTrue(run6.compareTo(run5) > 0, run6);
            assertEquals(run4, history(s, run6).get("replayOf"));
            assertTrue(Files.exists(s.file("a")), "a replay moves no file to the archive");

            // past retention: Kafka drops the records of partition 0 of source a; the replay reads the files
            String topic = s.id + ".a";
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of("bootstrap.servers", s.settings.get("coupon.kafka.brokers")))) {
                org.apache.kafka.common.TopicPartition p0 = new org.apache.kafka.common.TopicPartition(topic, 0);
                long end = admin.listOffsets(Map.of(p0, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .get(p0)
                        .offset();
                admin.deleteRecords(Map.of(p0, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(end)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            writeRun(s, v2);
            HttpResponse<String> fromFiles = send(http, "POST", base + "/runs/" + run6 + "/replay", TOKEN);
            assertEquals(202, fromFiles.statusCode(), fromFiles.body());
            JsonNode fallback = JSON.readTree(fromFiles.body());
            assertEquals("files", fallback.path("from").asText(), fromFiles.body());
            assertTrue(
                    fallback.path("reason").asText().contains("partition 0 of " + topic)
                            && fallback.path("reason").asText().contains("past retention"),
                    fromFiles.body());
            String run7 = fallback.path("runId").asText();
            JsonNode filesRun = awaitEnd(http, base, service, run7);
            assertEquals("published", filesRun.path("state").asText(), filesRun.toString());
            assertFalse(filesRun.has("replayOf"), filesRun.toString());
            assertEquals(v2, s.liveSet());
            assertFalse(Files.exists(s.file("a")), "a run on the files archives them");
        } finally {
            PipelineHarness.stopService(main, service);
        }
    }

    private static String started(HttpResponse<String> r) throws Exception {
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("runId").asText();
    }

    /** Polls GET /runs/{id} until the run is no longer running. */
    private static JsonNode awaitEnd(HttpClient http, String base, Thread service, String runId) throws Exception {
        JsonNode[] run = new JsonNode[1];
        org.awaitility.Awaitility.await("run " + runId + " to end")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .failFast("the service stopped", () -> !service.isAlive())
                .until(() -> {
                    HttpResponse<String> r = send(http, "GET", base + "/runs/" + runId, null);
                    if (r.statusCode() == 200) {
                        run[0] = JSON.readTree(r.body());
                        return !"running".equals(run[0].path("state").asText());
                    }
                    return false;
                });
        return run[0];
    }

    @Test
    void should_show_history_publish_and_discard_held_runs_and_serve_the_status_page() throws Exception {
        Scenario s = harness.scenario("ops", List.of("a", "b", "c"));
        Set<String> first = new LinkedHashSet<>(fresh(1000));
        writeRun(s, first);
        int port = PipelineEndToEndIT.freePort();
        AtomicReference<Main> main = new AtomicReference<>();
        // GET /coupons/{code} through the Camel route here (the event-loop handler in PipelineEndToEndIT): the
        // probers across a swap below hold both to the same answers
        Thread service = s.startService(
                Map.of(
                        "coupon.http.port",
                        Integer.toString(port),
                        "coupon.http.token",
                        TOKEN,
                        "coupon.schedule.run-on-start",
                        "true",
                        "coupon.api.fast-path",
                        "false"),
                main::set);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String base = "http://127.0.0.1:" + port;
        try {
            JsonNode firstRun = awaitRun(
                    http, base, service, r -> "published".equals(r.path("state").asText()));
            String firstId = firstRun.path("id").asText();
            assertEquals("startup", firstRun.path("trigger").asText());
            assertEquals(1000, firstRun.path("validCodes").asLong());
            assertEquals(1000, firstRun.path("added").asLong(), "the first run adds every code");
            assertEquals(0, firstRun.path("removed").asLong());
            for (JsonNode src : firstRun.path("sources")) {
                long expected = src.path("name").asText().equals("c") ? 150 : 1150;
                assertEquals(expected, src.path("codes").asLong(), src.toString());
                assertEquals(
                        src.path("sizeBytes").asLong(), src.path("bytesRead").asLong(), src.toString());
                assertEquals(
                        Files.size(s.file(src.path("name").asText())),
                        src.path("sizeBytes").asLong());
            }
            assertEquals(4, firstRun.path("partitions").path("total").asInt());
            assertEquals(4, firstRun.path("partitions").path("done").asInt());
            assertTrue(firstRun.path("phases").path("produceSeconds").asDouble() > 0, firstRun.toString());
            assertTrue(firstRun.path("phases").has("aggregateSeconds"), firstRun.toString());

            // the status page, rendered by a real browser: the live run, its per-source counts, the history table
            String dom = ExternalTool.renderedDom(base + "/", Files.createDirectories(root.resolve("chromium")));
            assertTrue(dom.contains("<b id=\"live-run\">" + firstId + "</b>"), dom);
            assertTrue(dom.contains("<b id=\"live-codes\">1,000</b>"), dom);
            assertTrue(dom.contains("a: 1,150 codes · b: 1,150 codes · c: 150 codes"), dom);
            assertTrue(dom.contains("data-run=\"" + firstId + "\""), dom);
            assertTrue(dom.contains("class=\"state-published\">published"), dom);

            // the same files again: the trigger is skipped, and the history says why
            HttpResponse<String> same = send(http, "POST", base + "/runs", TOKEN);
            assertEquals(200, same.statusCode(), same.body());
            JsonNode skipped = JSON.readTree(
                            send(http, "GET", base + "/runs", null).body())
                    .path("runs")
                    .get(0);
            assertEquals("skipped", skipped.path("state").asText(), skipped.toString());
            assertEquals("http", skipped.path("trigger").asText());
            assertTrue(
                    skipped.path("reason").asText().startsWith("the input files are those of the live run " + firstId),
                    skipped.toString());

            // a run that removes 80 % is held; publishing it needs the token
            Set<String> second = new LinkedHashSet<>(new ArrayList<>(first).subList(0, 200));
            second.addAll(fresh(300));
            writeRun(s, second);
            assertEquals(202, send(http, "POST", base + "/runs", TOKEN).statusCode());
            JsonNode held = awaitRun(
                    http,
                    base,
                    service,
                    r -> r.path("id").asText().compareTo(firstId) > 0
                            && !r.path("id").asText().endsWith("-skipped")
                            && !"running".equals(r.path("state").asText()));
            String heldId = held.path("id").asText();
            assertEquals("held", held.path("state").asText(), held.toString());
            assertEquals(300, held.path("added").asLong());
            assertEquals(800, held.path("removed").asLong());
            assertEquals(1000, held.path("replacedCodes").asLong());
            assertTrue(held.path("reason").asText().contains("80.0 %"), held.toString());
            assertEquals(first, s.liveSet());
            assertEquals(
                    heldId,
                    JSON.readTree(send(http, "GET", base + "/runs", null).body())
                            .path("held")
                            .asText());
            JsonNode one = JSON.readTree(
                    send(http, "GET", base + "/runs/" + heldId, null).body());
            assertEquals(4, one.path("partitions").path("byPartition").size(), one.toString());
            HttpResponse<String> unknown = send(http, "GET", base + "/runs/19990101T000000.000Z", null);
            assertEquals(404, unknown.statusCode());
            assertEquals(
                    "application/problem+json",
                    unknown.headers().firstValue("Content-Type").orElse(""));
            assertEquals(
                    "19990101T000000.000Z",
                    JSON.readTree(unknown.body()).path("runId").asText(),
                    unknown.body());

            HttpResponse<String> anonymous = send(http, "POST", base + "/runs/" + heldId + "/publish", null);
            assertEquals(401, anonymous.statusCode());
            JsonNode problem = JSON.readTree(anonymous.body());
            assertEquals(
                    "urn:coupon-pipeline:problem:token-required",
                    problem.path("type").asText(),
                    anonymous.body());
            assertEquals(401, problem.path("status").asInt());
            assertEquals(
                    "this request changes state: send Authorization: Bearer <coupon.http.token>",
                    problem.path("detail").asText());
            assertEquals(
                    403, send(http, "DELETE", base + "/runs/" + heldId, "wrong").statusCode());
            assertEquals(first, s.liveSet(), "refused requests change nothing");
            // while the held run is swapped in, clients ask: across one swap a code's answer changes at most once
            String kept = second.iterator().next();
            String dropped = minus(first, second).iterator().next();
            String added = minus(second, first).iterator().next();
            List<Prober> probers = List.of(
                    new Prober(http, base, kept), new Prober(http, base, dropped), new Prober(http, base, added));
            probers.forEach(Thread::start);
            Thread.sleep(300);
            HttpResponse<String> published = send(http, "POST", base + "/runs/" + heldId + "/publish", TOKEN);
            Thread.sleep(300);
            probers.forEach(Prober::finish);
            assertEquals(200, published.statusCode(), published.body());
            assertEquals("true", probers.get(0).changes(), "a code in both sets is valid throughout");
            assertEquals("true,false", probers.get(1).changes(), "a removed code: valid, then invalid, never back");
            assertEquals("false,true", probers.get(2).changes(), "an added code: invalid, then valid, never back");
            assertEquals(second, s.liveSet());
            assertEquals(heldId, s.meta().get("runId"));
            assertEquals("published", history(s, heldId).get("state"));
            HttpResponse<String> again = send(http, "POST", base + "/runs/" + heldId + "/publish", TOKEN);
            assertEquals(409, again.statusCode(), "published already: not held any more");
            assertEquals("published", JSON.readTree(again.body()).path("state").asText(), again.body());

            // the next one is held too, and discarded: its staged set goes, the live set stays
            Set<String> third = new LinkedHashSet<>(new ArrayList<>(second).subList(0, 60));
            writeRun(s, third);
            assertEquals(202, send(http, "POST", base + "/runs", TOKEN).statusCode());
            JsonNode heldAgain = awaitRun(
                    http,
                    base,
                    service,
                    r -> r.path("id").asText().compareTo(heldId) > 0
                            && !"running".equals(r.path("state").asText()));
            String discardId = heldAgain.path("id").asText();
            assertEquals("held", heldAgain.path("state").asText(), heldAgain.toString());
            assertEquals(440, heldAgain.path("removed").asLong());
            HttpResponse<String> discarded = send(http, "DELETE", base + "/runs/" + discardId, TOKEN);
            assertEquals(200, discarded.statusCode(), discarded.body());
            assertEquals("discarded", history(s, discardId).get("state"));
            try (Jedis j = harness.jedis()) {
                // what keeps an aggregator that reads the control topic again from building it anew
                assertEquals("discarded by an operator", j.get(s.key + ":failure:" + discardId));
            }
            assertEquals(Set.of(), s.stagingKeys());
            assertEquals(second, s.liveSet());

            // every metric the dashboard and the alert rules query exists on a service that has published
            String metrics = send(http, "GET", base + "/observe/metrics", null).body();
            Set<String> missing = new TreeSet<>();
            for (String name : queriedMetrics()) {
                if (!Pattern.compile("(?m)^" + name + "[{ ]").matcher(metrics).find()) {
                    missing.add(name);
                }
            }
            assertEquals(Set.of(), missing, "queried by docker/grafana or docker/prometheus but not exported");
            assertTrue(metrics.contains("coupon_runs_held_total 2.0"), "two runs were held");
            assertTrue(metrics.contains("coupon_api_requests_seconds_bucket{route=\"status-page\",status=\"2xx\""));
            assertTrue(
                    Pattern.compile("(?m)^camel_exchange_event_notifier_seconds_count\\{[^}]*routeId=\"check-code\""
                                    + "[^}]*} [1-9]")
                            .matcher(metrics)
                            .find(),
                    "with fast-path=false the Camel route answered");
        } finally {
            PipelineHarness.stopService(main, service);
        }
        assertFalse(service.isAlive());
    }

    /** Asks the API about one code in a loop and keeps each change of its answer, in order. */
    static final class Prober extends Thread {
        private final HttpClient http;
        private final String url;
        private final List<Boolean> changes = new ArrayList<>();
        private volatile boolean stop;
        private volatile Exception failure;
        int asked;

        Prober(HttpClient http, String base, String code) {
            this.http = http;
            this.url = base + "/coupons/" + code;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    boolean valid = JSON.readTree(send(http, "GET", url, null).body())
                            .path("valid")
                            .asBoolean();
                    if (changes.isEmpty() || changes.get(changes.size() - 1) != valid) {
                        changes.add(valid);
                    }
                    asked++;
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        void finish() {
            stop = true;
            try {
                join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertEquals(null, failure, "the prober's requests");
            assertTrue(asked > 10, "it asked while the swap happened: " + asked);
        }

        String changes() {
            return String.join(",", changes.stream().map(String::valueOf).toList());
        }
    }

    /** The metric names in the dashboard's and the alert rules' queries. */
    static Set<String> queriedMetrics() throws Exception {
        Set<String> names = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:coupon|jvm)_[a-z0-9_]+)");
        List<String> exprs = new ArrayList<>();
        JsonNode dashboard = JSON.readTree(
                Path.of("docker/grafana/dashboards/coupon-pipeline.json").toFile());
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        for (String line : Files.readAllLines(Path.of("docker/prometheus/alerts.yml"))) {
            if (!line.trim().startsWith("#")) {
                exprs.add(line);
            }
        }
        for (String e : exprs) {
            Matcher m = metric.matcher(e);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        assertTrue(names.size() > 15, "found the queries: " + names);
        return names;
    }

    /** Polls GET /runs until its newest run matches. */
    private static JsonNode awaitRun(HttpClient http, String base, Thread service, Predicate<JsonNode> done)
            throws Exception {
        JsonNode[] newest = new JsonNode[1];
        org.awaitility.Awaitility.await("the newest run to be as expected")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .failFast("the service stopped", () -> !service.isAlive())
                .ignoreExceptionsInstanceOf(java.io.IOException.class) // the service is still starting
                .until(() -> {
                    JsonNode runs = JSON.readTree(
                                    send(http, "GET", base + "/runs", null).body())
                            .path("runs");
                    newest[0] = runs.size() == 0 ? null : runs.get(0);
                    return newest[0] != null && done.test(newest[0]);
                });
        return newest[0];
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
