package dev.couponpipeline.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a test's {@code routes/sources.yaml}: one gzip-source per name, file {@code <name>.gz}, its own topic. */
public final class SourcesYaml {

    private SourcesYaml() {}

    /** Topics are {@code <topicPrefix>.<name>}, so tests sharing a broker never share a topic. */
    public static void write(Path routesDir, List<String> names, String topicPrefix) throws IOException {
        java.util.Map<String, String> files = new java.util.LinkedHashMap<>();
        names.forEach(n -> files.put(n, n + ".gz"));
        write(routesDir, files, topicPrefix);
    }

    /** As above, with each source's file named: {@code a → a.zip}, {@code b → b.txt}, ... */
    public static void write(Path routesDir, java.util.Map<String, String> files, String topicPrefix)
            throws IOException {
        Files.createDirectories(routesDir);
        StringBuilder yaml = new StringBuilder();
        for (String s : files.keySet()) {
            yaml.append("- templatedRoute:\n")
                    .append("    routeTemplateRef: gzip-source\n")
                    .append("    routeId: source-")
                    .append(s)
                    .append('\n')
                    .append("    parameters:\n")
                    .append("      - name: name\n        value: ")
                    .append(s)
                    .append('\n')
                    .append("      - name: file\n        value: ")
                    .append(files.get(s))
                    .append('\n')
                    .append("      - name: topic\n        value: ")
                    .append(topicPrefix)
                    .append('.')
                    .append(s)
                    .append('\n');
        }
        Files.writeString(routesDir.resolve("sources.yaml"), yaml);
    }
}
