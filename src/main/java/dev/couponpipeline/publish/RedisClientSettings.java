package dev.couponpipeline.publish;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * How the pipeline reaches Redis: one server ({@code host}, {@code port}) or the master a set of Sentinels names,
 * as an ACL user or with {@code requirepass}, in a database, over TLS if asked. {@link #toString} never shows the
 * password.
 */
public record RedisClientSettings(
        String host,
        int port,
        String username,
        String password,
        int database,
        boolean ssl,
        String truststore,
        String truststorePassword,
        String truststoreType,
        boolean verifyHostname,
        String sentinelMaster,
        String sentinelNodes,
        String sentinelPassword,
        Duration timeout,
        int poolSize) {

    /** True when Sentinels say which server is the master. */
    public boolean sentinel() {
        return !sentinelMaster.isBlank();
    }

    /** Where it connects, for log lines and error messages: never a secret. */
    public String describe() {
        String where = sentinel()
                ? "the master '" + sentinelMaster + "' of the Sentinels " + sentinelNodes
                : host + ":" + port;
        return "Redis at " + where + (ssl ? " over TLS" : "") + (username.isBlank() ? "" : " as user " + username)
                + (database == 0 ? "" : ", database " + database);
    }

    @Override
    public String toString() {
        return describe();
    }

    /** A started template with a connection pool of {@code poolSize} (the API checks codes concurrently). */
    public StringRedisTemplate template() {
        GenericObjectPoolConfig<Object> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMinIdle(Math.min(8, poolSize));
        // idle connections are checked every 30 s; a connection that broke in between fails its one request and is
        // dropped (a PING on every borrow would cost the API a round trip a request)
        pool.setTestOnBorrow(false);
        pool.setTestWhileIdle(true);
        pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(30));
        JedisClientConfiguration.JedisClientConfigurationBuilder client =
                JedisClientConfiguration.builder().connectTimeout(timeout).readTimeout(timeout);
        if (ssl) {
            SSLParameters parameters = new SSLParameters();
            if (verifyHostname) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            client.useSsl().sslSocketFactory(socketFactory()).sslParameters(parameters);
        }
        JedisClientConfiguration clientConfiguration =
                client.usePooling().poolConfig(pool).build();
        RedisConfiguration where = configuration();
        JedisConnectionFactory factory = where instanceof RedisSentinelConfiguration sentinels
                ? new JedisConnectionFactory(sentinels, clientConfiguration)
                : new JedisConnectionFactory((RedisStandaloneConfiguration) where, clientConfiguration);
        try {
            factory.afterPropertiesSet();
            factory.start();
        } catch (RuntimeException e) {
            // the whole story in one line, which start-up prints: where, and Redis's answer (never a secret)
            throw new IllegalStateException(describe()
                    + (LiveSetPublisher.redisAnswered(e) ? " refused the connection: " : " cannot be reached: ")
                    + dev.couponpipeline.run.Errors.rootMessage(e));
        }
        StringRedisTemplate template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
        return template;
    }

    private RedisConfiguration configuration() {
        RedisPassword pw = password.isEmpty() ? RedisPassword.none() : RedisPassword.of(password);
        if (sentinel()) {
            Set<String> nodes = new LinkedHashSet<>();
            Arrays.stream(sentinelNodes.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .forEach(nodes::add);
            if (nodes.isEmpty()) {
                throw new IllegalArgumentException("coupon.redis.sentinel.master is set, so coupon.redis.sentinel.nodes"
                        + " must list the Sentinels as host:port,host:port");
            }
            RedisSentinelConfiguration c = new RedisSentinelConfiguration(sentinelMaster, nodes);
            c.setUsername(username.isBlank() ? null : username);
            c.setPassword(pw);
            c.setDatabase(database);
            if (!sentinelPassword.isEmpty()) {
                c.setSentinelPassword(RedisPassword.of(sentinelPassword));
            }
            return c;
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("coupon.redis.host is empty and no Sentinel is configured");
        }
        RedisStandaloneConfiguration c = new RedisStandaloneConfiguration(host, port);
        c.setUsername(username.isBlank() ? null : username);
        c.setPassword(pw);
        c.setDatabase(database);
        return c;
    }

    /** The JVM's trust store, or the one named by {@code coupon.redis.ssl.truststore}. */
    private SSLSocketFactory socketFactory() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (truststore.isBlank()) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore ks = KeyStore.getInstance(truststoreType.isBlank() ? "PKCS12" : truststoreType);
                try (InputStream in = Files.newInputStream(Path.of(truststore))) {
                    ks.load(in, truststorePassword.isEmpty() ? null : truststorePassword.toCharArray());
                }
                tmf.init(ks);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot read the Redis trust store " + truststore + ": " + e.getMessage(), e);
        }
    }
}
