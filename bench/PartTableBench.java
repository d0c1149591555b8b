import dev.couponpipeline.codes.CodeHash;
import dev.couponpipeline.table.PartTable;
import java.util.SplittableRandom;

/**
 * The aggregator's table on its own: one part of N codes (random hashes, each in one of three sources) added,
 * then folded bucket by bucket, several rounds; prints ns per code for each step. Run from the repository root:
 * java -cp target/coupon-pipeline.jar bench/PartTableBench.java [CODES_PER_PART [ROUNDS]]
 * (313M codes in 32 partitions: 9.8M a part).
 */
public class PartTableBench {

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 9_800_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        SplittableRandom r = new SplittableRandom(1);
        long[] hashes = new long[n];
        int[] sources = new int[n];
        for (int i = 0; i < n; i++) {
            hashes[i] = r.nextLong() & CodeHash.MASK;
            sources[i] = r.nextInt(3);
        }
        PartTable table = new PartTable();
        for (int round = 1; round <= rounds; round++) {
            long t0 = System.nanoTime();
            table.reset(3, n);
            for (int i = 0; i < n; i++) {
                table.addHash(hashes[i], sources[i]);
            }
            long t1 = System.nanoTime();
            long[] valid = {0};
            table.forEachValid(2, (code, len, mask) -> valid[0]++);
            long t2 = System.nanoTime();
            System.out.printf(
                    "round %d: add %.1f ns/code, fold %.1f ns/code, %d distinct, table %d MB%n",
                    round, (t1 - t0) / (double) n, (t2 - t1) / (double) n, table.distinct(), table.bytes() >> 20);
        }
    }
}
