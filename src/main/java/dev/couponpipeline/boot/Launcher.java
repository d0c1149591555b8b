package dev.couponpipeline.boot;

import dev.couponpipeline.aggregate.AggregationRoutes;
import dev.couponpipeline.api.ValidationApi;
import dev.couponpipeline.files.SampleGenerator;
import dev.couponpipeline.produce.RunRetryRoutes;
import dev.couponpipeline.produce.RunRoutes;
import dev.couponpipeline.produce.SourceRoutes;
import dev.couponpipeline.run.Errors;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Everything that happens before and around Camel: the command line, sample data, the embedded Kafka broker and
 * redis-server, and the exit code.
 */
public final class Launcher {

    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

    /**
     * Every RouteBuilder, named here rather than found by camel-main's package scan: the scan reads the whole
     * shaded jar (about 90 MB, 2 CPU-s at every start). {@code LayoutTest} fails when one is missing.
     */
    public static final List<Class<? extends RoutesBuilder>> ROUTE_BUILDERS = List.of(
            SourceRoutes.class, RunRoutes.class, RunRetryRoutes.class, AggregationRoutes.class, ValidationApi.class);
    /** The command line: {@code [--once]}, or {@code generate --out DIR [--scale S] [--seed N]}. */
    @Command(
            name = "java -jar coupon-pipeline.jar",
            description = "Runs the service (schedule, API, aggregator) on the embedded or configured Kafka and Redis.",
            subcommands = Generate.class,
            footer = "settings: config/application.properties, overridden by -Dkey=value or environment variables")
    static final class Options {
        @Option(names = "--once", description = "run once, print a summary, exit 0 (published), 1 (failed) or 3 (held)")
        boolean once;

        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "this text")
        boolean help;
    }

    @Command(name = "generate", description = "Writes three sample source files shaped like the public ones.")
    static final class Generate {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write them")
        Path out;

        @Option(
                names = "--scale",
                defaultValue = "1",
                paramLabel = "S",
                description = "1 is the public files' size (313M codes)")
        double scale;

        @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "the same seed, the same files")
        long seed;

        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "this text")
        boolean help;
    }

    private Launcher() {}

    /** Runs the command and returns the process exit code. */
    public static int launch(String[] args) throws Exception {
        return launch(args, Map.of(), System.out, System.err, main -> {});
    }

    /**
     * As {@link #launch(String[])}, with settings that override every other source, the streams for the
     * summary and errors, and a callback that receives the Camel {@link Main} before it runs (to stop it).
     */
    public static int launch(
            String[] args, Map<String, String> overrides, PrintStream out, PrintStream err, Consumer<Main> beforeRun)
            throws Exception {
        CommandLine command = new CommandLine(new Options());
        CommandLine.ParseResult parsed;
        try {
            parsed = command.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println("coupon-pipeline: " + e.getMessage());
            e.getCommandLine().usage(err);
            return 2;
        }
        if (CommandLine.printHelpIfRequested(parsed.asCommandLineList(), out, err, CommandLine.Help.Ansi.OFF)) {
            return 0;
        }
        if (parsed.subcommand() != null) {
            return generate(parsed.subcommand().commandSpec().commandLine().getCommand(), out);
        }
        boolean once = command.<Options>getCommand().once;
        Map<String, String> all = new LinkedHashMap<>(overrides);
        if (once) {
            OnceMode.overrides().forEach(all::putIfAbsent);
        }
        Settings settings = Settings.load(all);
        String noRoutes = routesProblem(settings);
        if (noRoutes != null) {
            err.println("coupon-pipeline: " + noRoutes);
            return 1;
        }
        try {
            LOG.info("JIT: {} ({})", JitScope.apply(settings.get(JitScope.SETTING), once), JitScope.SETTING);
        } catch (IllegalArgumentException e) {
            err.println("coupon-pipeline: " + e.getMessage());
            return 1;
        }
        try {
            prepareSampleData(settings);
        } catch (IOException | RuntimeException e) {
            err.println("coupon-pipeline: cannot write sample data: " + e.getMessage());
            return 1;
        }
        Infrastructure infra;
        try {
            infra = Infrastructure.start(settings);
        } catch (IOException | RuntimeException e) {
            err.println("coupon-pipeline: cannot start the embedded infrastructure: " + e);
            return 1;
        }
        OnceMode onceMode = null;
        try (infra) {
            Main main = new Main();
            main.configure().addConfiguration(PipelineConfiguration.class);
            main.configure().addRoutesBuilder(ROUTE_BUILDERS.toArray(Class<?>[]::new));
            main.setPropertyPlaceholderLocations(settings.camelLocations());
            Map<String, String> secrets = settings.secretFiles();
            for (Map.Entry<String, String> e : secrets.entrySet()) {
                if (e.getValue().contains("{{")) {
                    // Camel would resolve it as a placeholder, and its error message would show the value
                    err.println("coupon-pipeline: the file " + e.getKey() + " in coupon.secrets-dir contains '{{',"
                            + " which Camel reads as a placeholder; change the secret");
                    return 1;
                }
            }
            if (!secrets.isEmpty()) {
                LOG.info(
                        "Settings read from files in {} (values not shown): {}",
                        settings.get("coupon.secrets-dir"),
                        secrets.keySet());
            }
            secrets.forEach((k, v) -> {
                if (!all.containsKey(k)) {
                    main.addOverrideProperty(k, v);
                }
            });
            all.forEach(main::addOverrideProperty);
            infra.overrides().forEach(main::addOverrideProperty);
            main.bind(Infrastructure.BEAN, infra);
            if (settings.getBoolean("coupon.run.low-priority")) {
                main.addMainListener(new ThreadPriorities());
            }
            if (once) {
                onceMode = new OnceMode(main, out, err);
                main.addMainListener(onceMode);
            }
            beforeRun.accept(main);
            try {
                main.run();
            } catch (Exception e) {
                err.println("coupon-pipeline: " + Errors.rootMessage(e));
                LOG.debug("start-up failed", e);
                return 1;
            }
            if (onceMode == null) {
                return main.getExitCode();
            }
        }
        // last, after Camel and the embedded servers have stopped, so the outcome is the final line
        return onceMode.report();
    }

    /**
     * Why the source routes cannot be loaded, or null. Without this check a missing directory failed with only its
     * name ("coupon-pipeline: routes"), and an empty one started a service with no source, whose --once never ended.
     */
    static String routesProblem(Settings settings) throws IOException {
        String configured = settings.get("coupon.routes-dir");
        Path dir = Path.of(configured.isEmpty() ? "routes" : configured).toAbsolutePath();
        String fix = "start it from the directory that holds routes/ and config/, or set coupon.routes-dir";
        if (!Files.isDirectory(dir)) {
            return "no source routes: the directory " + dir + " does not exist (coupon.routes-dir); " + fix;
        }
        try (Stream<Path> files = Files.list(dir)) {
            if (files.noneMatch(f -> f.getFileName().toString().endsWith(".yaml"))) {
                return "no source routes: " + dir + " holds no *.yaml file naming a source (coupon.routes-dir); " + fix;
            }
        }
        return null;
    }

    /**
     * Generated files are complete once written: dated an hour back, so a run on them does not wait
     * {@code coupon.input.stable-seconds} for them to settle.
     */
    private static java.util.List<Path> markComplete(java.util.List<Path> files) throws IOException {
        java.nio.file.attribute.FileTime complete =
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600));
        for (Path p : files) {
            Files.setLastModifiedTime(p, complete);
        }
        return files;
    }

    private static void prepareSampleData(Settings settings) throws IOException {
        if (!settings.getBoolean("coupon.sample.generate-if-empty")) {
            return;
        }
        Path dir = Path.of(settings.get("coupon.input-dir"));
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                if (files.findAny().isPresent()) {
                    return;
                }
            }
        }
        double scale = Double.parseDouble(settings.get("coupon.sample.scale"));
        LOG.info("Input directory {} is empty: writing sample data at scale {}", dir, scale);
        markComplete(SampleGenerator.generate(dir, scale, 1));
    }

    private static int generate(Generate g, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        for (Path p : markComplete(SampleGenerator.generate(g.out, g.scale, g.seed))) {
            out.println(p + " " + Files.size(p) + " bytes");
        }
        out.printf("generated scale %s in %.1f s%n", g.scale, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
