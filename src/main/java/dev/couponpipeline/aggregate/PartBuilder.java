package dev.couponpipeline.aggregate;

import dev.couponpipeline.records.CodeRecordFormat;
import dev.couponpipeline.records.ControlRecord;
import dev.couponpipeline.table.CodeVisitor;
import dev.couponpipeline.table.PartTable;
import java.nio.ByteBuffer;
import java.util.function.IntConsumer;

/**
 * Builds one part of a run: reads back exactly the ranges its control records name, folds every code into a
 * {@link PartTable}, checks that each source's records and codes are all there, and hands over the codes seen
 * in at least {@code minSources} sources.
 *
 * <p>Memory stays within {@code budgetBytes} whatever the input: a part whose codes would not fit is built in
 * several passes over the same ranges, each keeping a slice of the hashes. With enough partitions there is one
 * pass; too few partitions cost time, never memory.
 *
 * <p>One per worker thread, with its own reader and table.
 */
public final class PartBuilder {

    /** Bytes of table memory a code takes while its part is built. */
    public static final int BYTES_PER_CODE = 8;

    /** What a part held. */
    public record Result(long valid, long distinct, long[] codesPerSource, int passes) {}

    private final RangeSource reader;
    private final PartTable table;
    private final int minSources;
    private final long budgetBytes;
    private final CodeRecordFormat.Decoder decoder;

    public PartBuilder(RangeSource reader, PartTable table, int minSources, long budgetBytes, int maxCodeBytes) {
        this.reader = reader;
        this.table = table;
        this.minSources = minSources;
        this.budgetBytes = budgetBytes;
        this.decoder = new CodeRecordFormat.Decoder(maxCodeBytes);
    }

    /** How many passes a part of {@code codes} codes takes within the budget. */
    public int passes(long codes) {
        return (int) Math.max(1, (codes * BYTES_PER_CODE + budgetBytes - 1) / budgetBytes);
    }

    /**
     * Builds the part and visits its valid codes; {@code onRecord} learns of each record read (by source).
     *
     * @throws PartFailedException when a source's records or codes in Kafka differ from what it says it sent
     */
    public Result build(PartEnds part, CodeVisitor valid, IntConsumer onRecord) {
        int sources = part.sources().size();
        int passes = passes(part.codes());
        long[] codes = new long[sources];
        long validCodes = 0;
        long distinct = 0;
        Slice slice = new Slice(passes);
        for (int pass = 0; pass < passes; pass++) {
            table.reset(sources, part.codes() / passes);
            slice.pass = pass;
            long[] passCodes = new long[sources];
            long[] records = reader.read(part.recordsOf(), part.ranges(), sources, (s, value) -> {
                slice.source = s;
                passCodes[s] += decode(value, slice);
                onRecord.accept(s);
            });
            check(part, records, passCodes);
            if (pass == 0) {
                System.arraycopy(passCodes, 0, codes, 0, sources);
            }
            long[] n = {0};
            table.forEachValid(minSources, (code, len, mask) -> {
                n[0]++;
                valid.visit(code, len, mask);
            });
            validCodes += n[0];
            distinct += table.distinct();
        }
        return new Result(validCodes, distinct, codes, passes);
    }

    private int decode(ByteBuffer value, Slice slice) {
        try {
            return decoder.decode(value, slice);
        } catch (IllegalArgumentException e) {
            throw new PartFailedException(
                    "a record of source number " + slice.source + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static void check(PartEnds part, long[] records, long[] codes) {
        for (int s = 0; s < records.length; s++) {
            ControlRecord end = part.end(s);
            if (records[s] != end.records() || codes[s] != end.codes()) {
                throw new PartFailedException("source " + end.source() + " partition " + part.partition()
                        + ": the producer sent " + end.records() + " records of " + end.codes() + " codes at offsets "
                        + end.first() + ".." + end.last() + " of " + end.topic() + ", but Kafka holds " + records[s]
                        + " records of " + codes[s] + " codes there (records were lost or duplicated)");
            }
        }
    }

    /** Hands a pass's slice of the codes to the table, for the source of the record being decoded. */
    private final class Slice implements CodeRecordFormat.CodeReceiver {
        final int passes;
        int pass;
        int source;

        Slice(int passes) {
            this.passes = passes;
        }

        @Override
        public void packed(long[] hashes, int n) {
            if (passes == 1) {
                table.addHashes(hashes, n, source);
                return;
            }
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (sliceOf(hashes[i]) == pass) {
                    hashes[kept++] = hashes[i];
                }
            }
            table.addHashes(hashes, kept, source);
        }

        @Override
        public void text(byte[] code, int off, int len) {
            if (passes == 1
                    || sliceOf(java.util.Arrays.hashCode(java.util.Arrays.copyOfRange(code, off, off + len))) == pass) {
                table.addText(code, off, len, source);
            }
        }

        /** Uses all of the hash's bits (a multiplicative scramble), so no bucket or slot bit decides the slice. */
        private int sliceOf(long h) {
            return (int) (((h * 0x9E3779B97F4A7C15L) >>> 40) * passes >>> 24);
        }
    }
}
