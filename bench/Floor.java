import dev.couponpipeline.codes.CodeExtractor;
import dev.couponpipeline.codes.CodePattern;
import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * The floor the pipeline is measured against: the files decompressed (the JDK's GZIPInputStream) and scanned
 * for codes in one plain JVM, one thread per file, nothing else. With --isal, decompressed by the pipeline's own
 * ISA-L reader instead (the same floor for the inflater the pipeline uses). Run from the repository root:
 * java -cp target/coupon-pipeline.jar bench/Floor.java [--isal] FILE...
 */
public class Floor {

    /** The pipeline's ISA-L reader over a file (it reopens the file only when it hands over to the JDK's). */
    static InputStream isal(String file) throws java.io.IOException {
        return new dev.couponpipeline.files.IsalGzipInputStream(
                new FileInputStream(file),
                dev.couponpipeline.files.IsalGzipInputStream.Reopen.file(java.nio.file.Path.of(file)),
                256 * 1024,
                4 << 20);
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        AtomicLong codes = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        boolean isal = args.length > 0 && args[0].equals("--isal");
        for (String file : isal ? java.util.Arrays.copyOfRange(args, 1, args.length) : args) {
            Thread t = new Thread(() -> {
                CodeExtractor scanner = CodePattern.defaultPattern().newExtractor();
                long[] n = new long[1];
                byte[] buf = new byte[256 * 1024];
                try (InputStream in = isal
                        ? isal(file)
                        : new GZIPInputStream(new BufferedInputStream(new FileInputStream(file), 1 << 16), 1 << 16)) {
                    int r;
                    while ((r = in.read(buf)) > 0) {
                        scanner.feed(buf, 0, r, (b, o, l) -> n[0]++);
                    }
                    scanner.finish((b, o, l) -> n[0]++);
                } catch (Exception e) {
                    throw new IllegalStateException(file + ": " + e, e);
                }
                codes.addAndGet(n[0]);
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
                        .getProcessCpuTime()
                / 1e9;
        System.out.printf(
                (isal ? "floor (ISA-L)" : "floor") + ": %d codes in %.1f s wall, %.1f s CPU, %.2f M codes/s%n",
                codes.get(),
                secs,
                cpu,
                codes.get() / secs / 1e6);
    }
}
