package dev.couponpipeline.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.testing.ExternalTool;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus files in docker/prometheus/ as Prometheus itself reads them: promtool checks both scrape
 * configurations and the rules, and runs the rules' unit tests (each alert fires on the series meant to fire it).
 */
class AlertRulesTest {

    private static final Path DIR = Path.of("docker", "prometheus");

    @Test
    void should_pass_promtool_checks_and_the_rules_unit_tests() throws Exception {
        String promtool = ExternalTool.require("promtool").toString();
        for (String config : new String[] {"prometheus.yml", "prometheus.production.yml"}) {
            ExternalTool.Result r = ExternalTool.run(DIR, 60, promtool, "check", "config", config);
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("7 rules found"), r.output());
        }
        ExternalTool.Result tests = ExternalTool.run(DIR, 60, promtool, "test", "rules", "alerts_test.yml");
        assertEquals(0, tests.exitCode(), tests.output());
        assertTrue(tests.output().contains("SUCCESS"), tests.output());
    }
}
