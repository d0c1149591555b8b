package dev.couponpipeline.testing;

import java.util.List;

/** How tests start the JVMs of the packaged jar and of the broker. */
public final class TestJvm {

    private TestJvm() {}

    /** The java binary running the tests. */
    public static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    /**
     * Flags for every JVM a test starts: these small runs are mostly start-up, and on 2 cores the optimising
     * compiler's threads would take the CPU the test is measuring (C1 alone starts in half the CPU time).
     */
    public static final List<String> FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData");
}
