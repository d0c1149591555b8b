package dev.couponpipeline.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Set of arbitrary byte-string codes with a 64-bit source mask, for codes that do not pack into 60 bits (custom
 * patterns) or runs with more than four sources. Code bytes live in 1 MiB pages, not in per-code objects.
 */
final class OverflowCodeTable {

    private static final int PAGE = 1 << 20;

    private final List<byte[]> pages = new ArrayList<>();
    private int pageUsed = PAGE;
    /** Slot value: entry index + 1; 0 means empty. Power-of-two capacity, at most half full. */
    private int[] slots = new int[1024];

    private long[] refs = new long[256];
    private long[] masks = new long[256];
    private int[] hashes = new int[256];
    private int size;
    private long codeBytes;

    static int hash(byte[] b, int off, int len) {
        int h = 0x9747b28c ^ len;
        for (int i = off; i < off + len; i++) {
            h = (h ^ (b[i] & 0xff)) * 0x5bd1e995;
            h ^= h >>> 15;
        }
        return h;
    }

    long add(byte[] b, int off, int len, long sourceBits) {
        int h = hash(b, off, len);
        int m = slots.length - 1;
        int i = h & m;
        while (true) {
            int e = slots[i];
            if (e == 0) {
                int entry = append(b, off, len, h, sourceBits);
                slots[i] = entry + 1;
                if (size * 2L > slots.length) {
                    rehash();
                }
                return sourceBits;
            }
            e--;
            if (hashes[e] == h && equalsAt(e, b, off, len)) {
                masks[e] |= sourceBits;
                return masks[e];
            }
            i = (i + 1) & m;
        }
    }

    long mask(byte[] b, int off, int len) {
        int h = hash(b, off, len);
        int m = slots.length - 1;
        for (int i = h & m; ; i = (i + 1) & m) {
            int e = slots[i];
            if (e == 0) {
                return 0;
            }
            e--;
            if (hashes[e] == h && equalsAt(e, b, off, len)) {
                return masks[e];
            }
        }
    }

    private boolean equalsAt(int e, byte[] b, int off, int len) {
        long ref = refs[e];
        byte[] page = pages.get((int) (ref >>> 32));
        int p = (int) ref;
        int stored =
                (page[p] & 0xff) << 24 | (page[p + 1] & 0xff) << 16 | (page[p + 2] & 0xff) << 8 | (page[p + 3] & 0xff);
        return stored == len && Arrays.equals(page, p + 4, p + 4 + len, b, off, off + len);
    }

    private int append(byte[] b, int off, int len, int h, long sourceBits) {
        int need = len + 4;
        if (pages.isEmpty() || pageUsed + need > pages.get(pages.size() - 1).length) {
            pages.add(new byte[Math.max(PAGE, need)]);
            pageUsed = 0;
        }
        byte[] page = pages.get(pages.size() - 1);
        int p = pageUsed;
        page[p] = (byte) (len >>> 24);
        page[p + 1] = (byte) (len >>> 16);
        page[p + 2] = (byte) (len >>> 8);
        page[p + 3] = (byte) len;
        System.arraycopy(b, off, page, p + 4, len);
        pageUsed += need;
        codeBytes += len;
        if (size == refs.length) {
            int n = refs.length * 2;
            refs = Arrays.copyOf(refs, n);
            masks = Arrays.copyOf(masks, n);
            hashes = Arrays.copyOf(hashes, n);
        }
        refs[size] = (long) (pages.size() - 1) << 32 | p;
        masks[size] = sourceBits;
        hashes[size] = h;
        return size++;
    }

    private void rehash() {
        int[] t = new int[slots.length * 2];
        int m = t.length - 1;
        for (int e = 0; e < size; e++) {
            int i = hashes[e] & m;
            while (t[i] != 0) {
                i = (i + 1) & m;
            }
            t[i] = e + 1;
        }
        slots = t;
    }

    long size() {
        return size;
    }

    long bytes() {
        long b = 4L * slots.length + 20L * refs.length;
        for (byte[] p : pages) {
            b += p.length;
        }
        return b;
    }

    /** Removes {@code sourceBits} from every code's mask (codes left with none count as absent). */
    void clearBits(long sourceBits) {
        for (int e = 0; e < size; e++) {
            masks[e] &= ~sourceBits;
        }
    }

    long countHeld() {
        long n = 0;
        for (int e = 0; e < size; e++) {
            if (masks[e] != 0) {
                n++;
            }
        }
        return n;
    }

    void forEach(CodeVisitor visitor) {
        byte[] code = new byte[64];
        for (int e = 0; e < size; e++) {
            long ref = refs[e];
            byte[] page = pages.get((int) (ref >>> 32));
            int p = (int) ref;
            int len = (page[p] & 0xff) << 24
                    | (page[p + 1] & 0xff) << 16
                    | (page[p + 2] & 0xff) << 8
                    | (page[p + 3] & 0xff);
            if (code.length < len) {
                code = new byte[len];
            }
            System.arraycopy(page, p + 4, code, 0, len);
            visitor.visit(code, len, masks[e]);
        }
    }
}
