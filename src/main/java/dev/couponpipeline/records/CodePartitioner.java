package dev.couponpipeline.records;

import dev.couponpipeline.codes.CodeHash;

/**
 * Maps a code to a partition with a function of the code alone, the same for every source, so all occurrences of
 * a code, from every file, land in the same partition number (co-partitioning). A packed code's partition comes
 * from its {@link CodeHash}; a code that does not pack hashes its bytes (FNV-1a).
 */
public final class CodePartitioner {

    private CodePartitioner() {}

    /** The partition of a packed code's hash. */
    public static int partitionOfHash(long hash, int partitions) {
        return CodeHash.partition(hash, partitions);
    }

    /** The partition of a code that does not pack. */
    public static int partitionOfText(byte[] buf, int off, int len, int partitions) {
        if (partitions == 1) {
            return 0;
        }
        int h = 0x811c9dc5;
        for (int i = off; i < off + len; i++) {
            h = (h ^ (buf[i] & 0xff)) * 0x01000193;
        }
        return Integer.remainderUnsigned(h, partitions);
    }
}
