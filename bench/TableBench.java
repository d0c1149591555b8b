import dev.couponpipeline.table.CodeTable;
import java.util.SplittableRandom;

/**
 * The aggregator's table on its own: inserts N random 8-10 character codes (batches of 10,000, as records
 * arrive) from 3 sources and reports inserts per second and bytes per code. From the repository root:
 * java -Xmx6g [-XX:+UseTransparentHugePages] -cp target/coupon-pipeline.jar bench/TableBench.java [N [EXPECTED [THREADS]]]
 */
public class TableBench {

    public static void main(String[] args) {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 313_000_000L;
        byte[] alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes();
        SplittableRandom random = new SplittableRandom(1);
        long expected = args.length > 1 ? Long.parseLong(args[1]) : 0;
        boolean twoThreads = args.length > 2 && args[2].equals("2");
        CodeTable table = new CodeTable(3, expected, twoThreads ? new CodeTable.Helper() : null);
        byte[] batch = new byte[10_000 * 11];
        long genNanos = 0;
        long insertNanos = 0;
        long done = 0;
        while (done < n) {
            long g0 = System.nanoTime();
            int p = 0;
            int codes = (int) Math.min(10_000, n - done);
            for (int c = 0; c < codes; c++) {
                int len = 8 + random.nextInt(3);
                for (int i = 0; i < len; i++) {
                    batch[p++] = alphabet[random.nextInt(alphabet.length)];
                }
                batch[p++] = '\n';
            }
            long g1 = System.nanoTime();
            int source = (int) ((done / 10_000) % 3);
            table.addRecord(java.util.Arrays.copyOf(batch, p - 1), source);
            long g2 = System.nanoTime();
            genNanos += g1 - g0;
            insertNanos += g2 - g1;
            done += codes;
            if (done % 50_000_000 == 0) {
                System.out.printf("%,d codes: %.1f M inserts/s so far%n", done, done / (insertNanos / 1e9) / 1e6);
            }
        }
        System.out.printf("%,d inserts in %.1f s (%.2f M/s), %,d distinct, %.1f bytes/code; generating took %.1f s%n",
                n, insertNanos / 1e9, n / (insertNanos / 1e9) / 1e6, table.size(), (double) table.bytes() / table.size(),
                genNanos / 1e9);
    }
}
