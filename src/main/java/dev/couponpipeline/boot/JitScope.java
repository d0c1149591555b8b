package dev.couponpipeline.boot;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Which methods the JVM's optimising compiler (C2) may compile ({@code coupon.jit.c2}). A one-shot run lasts
 * about a minute on two cores: C2 compiling the Kafka broker's and client's code costs more CPU than it saves in
 * that time, while the pipeline's own loops (gunzip, scanner, record format, table) run for every byte and every
 * code and gain from C2. With {@code hot-loops} C2 compiles only the packages below; C1 compiles everything
 * else, as with {@code -XX:TieredStopAtLevel=1}. The scope is a compiler directive added at start-up through the
 * JVM's own diagnostic command ({@code jcmd <pid> Compiler.directives_add} does the same), so no JVM flag is needed.
 */
final class JitScope {

    static final String SETTING = "coupon.jit.c2";
    /** The packages of the per-byte and per-code loops, as compiler-directive patterns. */
    static final List<String> HOT_LOOPS = List.of(
            "dev/couponpipeline/files/*.*",
            "dev/couponpipeline/codes/*.*",
            "dev/couponpipeline/records/*.*",
            "dev/couponpipeline/table/*.*",
            "dev/couponpipeline/aggregate/*.*");

    private static boolean added;

    private JitScope() {}

    /**
     * Applies the setting: {@code auto} is {@code hot-loops} for {@code --once} and {@code all} (the JVM's
     * default) for the long-running service, where C2's one-time cost pays off. Returns what was done, for the log.
     *
     * @throws IllegalArgumentException for an unknown value
     */
    static synchronized String apply(String setting, boolean once) {
        String value = setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT);
        boolean hotLoops = switch (value) {
            case "auto", "" -> once;
            case "hot-loops" -> true;
            case "all" -> false;
            default ->
                throw new IllegalArgumentException(SETTING + " is '" + setting + "'; use auto, hot-loops or all");
        };
        if (!hotLoops) {
            return "C2 compiles every hot method (the JVM's default)";
        }
        // a directive stays for the JVM's life: added once (tests launch the pipeline many times in one JVM)
        if (!added) {
            try {
                addDirectives(directives());
                added = true;
            } catch (IOException | JMException | RuntimeException e) {
                // only the CPU a run takes depends on it
                return "C2 compiles every hot method: the compiler directive could not be added (" + e + ")";
            }
        }
        return "C2 compiles only the pipeline's own loops";
    }

    /** The directives: C2 may compile {@link #HOT_LOOPS}, nothing else (C1 still compiles everything). */
    private static String directives() {
        StringBuilder s = new StringBuilder("[\n  { match: [");
        for (int i = 0; i < HOT_LOOPS.size(); i++) {
            s.append(i == 0 ? "" : ", ").append('"').append(HOT_LOOPS.get(i)).append('"');
        }
        return s.append("], c2: { Exclude: false } },\n  { match: \"*.*\", c2: { Exclude: true } }\n]\n")
                .toString();
    }

    private static void addDirectives(String text) throws IOException, JMException {
        Path file = Files.createTempFile("coupon-jit-", ".json");
        try {
            Files.writeString(file, text);
            String answer = (String) ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            diagnostics(),
                            "compilerDirectivesAdd",
                            new Object[] {new String[] {file.toString()}},
                            new String[] {String[].class.getName()});
            if (answer == null || !answer.contains("added")) {
                throw new IllegalStateException("the JVM answered: " + answer);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static ObjectName diagnostics() throws JMException {
        return new ObjectName("com.sun.management:type=DiagnosticCommand");
    }
}
