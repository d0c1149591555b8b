package dev.couponpipeline.source;

/**
 * Maps a code to a partition with a hash that every source uses, so all occurrences of a code, from every file,
 * land in the same partition number (co-partitioning).
 */
public final class CodePartitioner {

    private CodePartitioner() {
    }

    public static int partition(byte[] buf, int off, int len, int partitions) {
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
