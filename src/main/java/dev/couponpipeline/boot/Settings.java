package dev.couponpipeline.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The handful of settings needed before Camel starts (which infrastructure to embed), resolved the way Camel
 * resolves them later: system property, then environment variable, then {@code config/application.properties},
 * then the defaults packaged in the jar.
 */
public final class Settings {

    /** Classpath location of the defaults (a copy of config/application.properties made by the build). */
    public static final String DEFAULTS = "coupon-defaults/application.properties";

    private final Properties files = new Properties();
    private final Map<String, String> overrides = new java.util.HashMap<>();
    private final Map<String, String> env;
    private final Properties system;
    private final Path configFile;

    private Settings(Path configFile, Map<String, String> env, Properties system) {
        this.configFile = configFile;
        this.env = env;
        this.system = system;
    }

    public static Settings load(Map<String, String> overrides) {
        String dir = overrides.getOrDefault(
                "coupon.config-dir",
                System.getProperty("coupon.config-dir", System.getenv().getOrDefault("COUPON_CONFIG_DIR", "config")));
        return load(Path.of(dir, "application.properties"), System.getenv(), System.getProperties())
                .withOverrides(overrides);
    }

    public static Settings load(Path configFile, Map<String, String> env, Properties system) {
        Settings s = new Settings(configFile, env, system);
        try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
            if (in != null) {
                s.files.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            }
            if (Files.isRegularFile(configFile)) {
                try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                    s.files.load(r);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + configFile + ": " + e.getMessage(), e);
        }
        return s;
    }

    /** The Camel property locations matching this resolution: packaged defaults, then the operator file. */
    public String camelLocations() {
        return "classpath:" + DEFAULTS + ",file:" + configFile + ";optional=true";
    }

    /** Settings given by the caller (tests, --once): they win over everything else. */
    public Settings withOverrides(Map<String, String> more) {
        overrides.putAll(more);
        return this;
    }

    public String get(String key) {
        String v = overrides.get(key);
        if (v == null) {
            v = system.getProperty(key);
        }
        if (v == null) {
            v = env.get(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        if (v == null) {
            v = files.getProperty(key);
        }
        return v == null ? "" : v.trim();
    }

    /**
     * Settings kept in files, one per setting, as Docker and Kubernetes mount secrets: every file in
     * {@code coupon.secrets-dir} named like a setting ({@code coupon.redis.password}, say) gives that setting its
     * content, without the trailing newline. They rank below system properties and environment variables and above
     * the properties files. Empty when no directory is set.
     */
    public Map<String, String> secretFiles() {
        String dir = get("coupon.secrets-dir");
        Map<String, String> out = new java.util.TreeMap<>();
        if (dir.isEmpty()) {
            return out;
        }
        Path d = Path.of(dir);
        if (!Files.isDirectory(d)) {
            throw new IllegalStateException("coupon.secrets-dir " + d + " is not a directory");
        }
        try (java.util.stream.Stream<Path> files = Files.list(d)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if ((name.startsWith("coupon.") || name.startsWith("camel.")) && Files.isRegularFile(f)) {
                    out.put(name, Files.readString(f, StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read coupon.secrets-dir " + d + ": " + e.getMessage(), e);
        }
        return out;
    }

    public int getInt(String key) {
        String v = get(key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + v + "'");
        }
    }

    public boolean getBoolean(String key) {
        return Boolean.parseBoolean(get(key));
    }
}
