package dev.couponpipeline.boot;

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
 * configured, or one node of a cluster of processes (the fault suite's). Its log directory is formatted once and
 * reused, so topics and offsets survive a restart.
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
        int brokerPort = port > 0 ? port : freePort();
        int controllerPort = controllerPortWanted > 0 ? controllerPortWanted : freePort();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.putAll(extra);
        return startNode(dir, Uuid.randomUuid().toString(), p, brokerPort);
    }

    /**
     * One node of a cluster of several processes (the fault suite's three brokers and their controller):
     * {@code roles} is "broker" or "controller"; {@code voters} is the controller quorum, as
     * {@code controller.quorum.voters}. Every node of one cluster is formatted with the same {@code clusterId}.
     */
    public static EmbeddedKafka startClusterNode(
            Path dir,
            String clusterId,
            int nodeId,
            String roles,
            int port,
            String voters,
            java.util.Map<String, String> extra)
            throws IOException {
        Properties p = new Properties();
        p.put("process.roles", roles);
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters);
        if (roles.equals("controller")) {
            p.put("listeners", "CONTROLLER://127.0.0.1:" + port);
        } else {
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.put("inter.broker.listener.name", "PLAINTEXT");
        }
        p.putAll(extra);
        return startNode(dir, clusterId, p, port);
    }

    private static EmbeddedKafka startNode(Path dir, String clusterId, Properties settings, int port)
            throws IOException {
        Files.createDirectories(dir);
        String logDir = dir.toAbsolutePath().toString();
        Properties p = new Properties();
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir);
        p.put("offsets.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("log.segment.bytes", Integer.toString(256 * 1024 * 1024));
        // the cleaner compacts only the (small) consumer offsets topic here: its default 128 MB buffer would take an
        // eighth of a 1 GB heap in the same JVM, allocated and zeroed at every start
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        p.putAll(settings);
        KafkaConfig config = KafkaConfig.fromProps(p, false);
        if (!Files.exists(dir.resolve("meta.properties"))) {
            try {
                new Formatter()
                        .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                        .setNodeId(config.nodeId())
                        .setClusterId(clusterId)
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
        return new EmbeddedKafka(server, port);
    }

    /**
     * Runs the broker in a process of its own until it is killed: {@code java -cp coupon-pipeline.jar
     * dev.couponpipeline.boot.EmbeddedKafka DIR PORT CONTROLLER_PORT} (the single node), or one node of a cluster:
     * {@code ... EmbeddedKafka node DIR CLUSTER_ID NODE_ID ROLES PORT VOTERS [key=value ...]}. The fault tests kill
     * and restart them.
     */
    public static void main(String[] args) throws Exception {
        EmbeddedKafka kafka;
        if (args.length >= 7 && args[0].equals("node")) {
            kafka = startClusterNode(
                    Path.of(args[1]),
                    args[2],
                    Integer.parseInt(args[3]),
                    args[4],
                    Integer.parseInt(args[5]),
                    args[6],
                    settings(args, 7));
        } else if (args.length >= 3 && !args[0].equals("node")) {
            kafka = start(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), settings(args, 3));
        } else {
            System.err.println("usage: EmbeddedKafka DIR PORT CONTROLLER_PORT [key=value ...]\n"
                    + "       EmbeddedKafka node DIR CLUSTER_ID NODE_ID broker|controller PORT VOTERS [key=value ...]");
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        System.out.println("kafka ready on " + kafka.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** Broker settings given as {@code key=value} arguments from {@code from} on. */
    private static java.util.Map<String, String> settings(String[] args, int from) {
        java.util.Map<String, String> extra = new java.util.LinkedHashMap<>();
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not a key=value broker setting: " + args[i]);
            }
            extra.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        return extra;
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
