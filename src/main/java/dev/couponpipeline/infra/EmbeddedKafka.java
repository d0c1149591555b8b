package dev.couponpipeline.infra;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Features;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka (KRaft, broker and controller in one) running inside this JVM, for when no cluster is
 * configured. Its log directory is formatted once and reused, so topics and offsets survive a restart.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaRaftServer server;
    private final int port;

    private EmbeddedKafka(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    public static EmbeddedKafka start(Path dir, int port) throws IOException {
        return start(dir, port, 0);
    }

    /** Ports of 0 take free ones; fixed ports let clients find the broker again after a restart. */
    public static EmbeddedKafka start(Path dir, int port, int controllerPortWanted) throws IOException {
        return start(dir, port, controllerPortWanted, java.util.Map.of());
    }

    /**
     * As above, with broker settings that replace or add to the defaults (the security tests add a SASL_SSL
     * listener; the embedded default has only a plain-text one, on loopback).
     */
    public static EmbeddedKafka start(Path dir, int port, int controllerPortWanted, java.util.Map<String, String> extra)
            throws IOException {
        Files.createDirectories(dir);
        int brokerPort = port > 0 ? port : freePort();
        int controllerPort = controllerPortWanted > 0 ? controllerPortWanted : freePort();
        String logDir = dir.toAbsolutePath().toString();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir);
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("log.segment.bytes", Integer.toString(256 * 1024 * 1024));
        p.putAll(extra);
        KafkaConfig config = KafkaConfig.fromProps(p, false);
        if (!Files.exists(dir.resolve("meta.properties"))) {
            try {
                new Formatter()
                        .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                        .setNodeId(1)
                        .setClusterId(Uuid.randomUuid().toString())
                        .setDirectories(List.of(logDir))
                        .setMetadataLogDirectory(logDir)
                        .setControllerListenerName("CONTROLLER")
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .setSupportedFeatures(Features.PRODUCTION_FEATURES)
                        .setIgnoreFormatted(true)
                        .run();
            } catch (Exception e) {
                throw new IOException("cannot format the embedded Kafka log directory " + dir + ": " + e, e);
            }
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(server, brokerPort);
    }

    /**
     * Runs the broker in a process of its own until it is killed: {@code java -cp coupon-pipeline.jar
     * dev.couponpipeline.infra.EmbeddedKafka DIR PORT CONTROLLER_PORT}. The fault tests kill and restart it.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: EmbeddedKafka DIR PORT CONTROLLER_PORT");
            System.exit(2);
        }
        EmbeddedKafka kafka = start(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        System.out.println("kafka ready on " + kafka.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
