package dev.couponpipeline.codes;

/**
 * Hand-written scanner for the default pattern: emits every maximal run of {@code min..max} ASCII letters or
 * digits. Equivalent to {@code (?<![A-Za-z0-9])[A-Za-z0-9]{min,max}(?![A-Za-z0-9])} applied line by line, at
 * the speed of a byte loop (the regex engine is ~4x slower than gunzip; this is not). A {@link PackedCodeSink}
 * gets codes of up to ten characters packed as they are scanned.
 */
final class AlnumRunScanner implements CodeExtractor {

    private static final boolean[] ALNUM = new boolean[256];
    /** Each letter's or digit's 6-bit symbol in {@link CodePacking}; 0 for every other byte. */
    private static final byte[] SYMBOL = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            SYMBOL[c] = (byte) Math.max(0, CodePacking.pack(new byte[] {(byte) c}, 0, 1));
            ALNUM[c] = SYMBOL[c] != 0;
        }
    }

    /** Packed codes are handed on this many at a time. */
    private static final int BATCH = 512;

    private final int min;
    private final int max;
    private final long[] batch = new long[BATCH];
    private final long maxLineBytes;
    /** The start of a run cut by a chunk boundary; only kept while the run can still be a code. */
    private final byte[] carry;

    private int carryLen;
    /** Length of the current run, counted past {@code max} so that over-long runs are recognised. */
    private long runLen;
    /** The current run packed so far (meaningful while it has at most ten characters). */
    private long packed;
    /** Bytes fed before the current chunk, and the position where the current line started. */
    private long consumed;

    private long lineStart;
    private long lineNumber = 1;

    AlnumRunScanner(int min, int max, long maxLineBytes) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("bad run bounds " + min + ".." + max);
        }
        this.min = min;
        this.max = max;
        this.maxLineBytes = maxLineBytes;
        this.carry = new byte[max];
    }

    static boolean isAlnum(int b) {
        return ALNUM[b & 0xff];
    }

    boolean canProduce(String code) {
        if (code.length() < min || code.length() > max) {
            return false;
        }
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c > 0x7f || !ALNUM[c]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void feed(byte[] buf, int off, int len, CodeSink sink) throws LineTooLongException {
        final int end = off + len;
        final PackedCodeSink packedSink = sink instanceof PackedCodeSink p ? p : null;
        final byte[] symbols = SYMBOL;
        // the state that spans chunks, in locals for the loop (written back at the end)
        long run = runLen;
        long acc = packed;
        long lineAt = lineStart - consumed; // where the current line starts, relative to off
        long lines = lineNumber;
        final long[] batch = this.batch;
        int batched = 0;
        int i = off;
        while (i < end) {
            // inside a run (maybe one that began in an earlier chunk): the tightest loop, as most bytes are here
            int runStart = i;
            if (run == 0) {
                acc = 0;
            }
            int symbol;
            while (i < end && (symbol = symbols[buf[i] & 0xff]) != 0) {
                acc = acc << 6 | symbol;
                i++;
            }
            run += i - runStart;
            if (i == end) {
                // the run may go on in the next chunk: keep its bytes while it can still be a code
                if (run > 0 && run <= max) {
                    int n = end - runStart;
                    System.arraycopy(buf, runStart, carry, carryLen, n);
                    carryLen += n;
                } else {
                    carryLen = 0;
                }
                break;
            }
            if (run >= min && run <= max) {
                if (packedSink != null && run <= CodePacking.MAX_PACKED_LENGTH) {
                    batch[batched++] = acc;
                    if (batched == BATCH) {
                        packedSink.packed(batch, batched);
                        batched = 0;
                    }
                } else {
                    if (batched > 0) { // the codes stay in the order found
                        packedSink.packed(batch, batched);
                        batched = 0;
                    }
                    emit(buf, runStart, i, run, sink);
                }
            }
            run = 0;
            if (carryLen != 0) {
                carryLen = 0;
            }
            // separators up to the next run
            while (i < end) {
                int c = buf[i] & 0xff;
                if (symbols[c] != 0) {
                    break;
                }
                if (c == '\n') {
                    long at = i - off;
                    if (at - lineAt > maxLineBytes) {
                        lineNumber = lines;
                        if (batched > 0) {
                            packedSink.packed(batch, batched);
                        }
                        throw new LineTooLongException(lines, maxLineBytes);
                    }
                    lineAt = at + 1;
                    lines++;
                }
                i++;
            }
        }
        if (batched > 0) {
            packedSink.packed(batch, batched);
        }
        runLen = run;
        packed = acc;
        lineNumber = lines;
        lineStart = consumed + lineAt;
        consumed += len;
        if (consumed - lineStart > maxLineBytes) {
            throw new LineTooLongException(lineNumber, maxLineBytes);
        }
    }

    private void emit(byte[] buf, int runStart, int runEnd, long run, CodeSink sink) {
        if (carryLen == 0) {
            sink.code(buf, runStart, runEnd - runStart);
        } else {
            int n = runEnd - runStart;
            System.arraycopy(buf, runStart, carry, carryLen, n);
            sink.code(carry, 0, carryLen + n);
        }
    }

    @Override
    public void finish(CodeSink sink) {
        if (runLen >= min && runLen <= max) {
            if (sink instanceof PackedCodeSink p && runLen <= CodePacking.MAX_PACKED_LENGTH) {
                batch[0] = packed;
                p.packed(batch, 1);
            } else {
                sink.code(carry, 0, carryLen);
            }
        }
        runLen = 0;
        carryLen = 0;
    }

    @Override
    public long lineNumber() {
        return lineNumber;
    }
}
