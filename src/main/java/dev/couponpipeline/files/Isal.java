package dev.couponpipeline.files;

import com.intel.gkl.compression.IntelInflater;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ISA-L's inflater, as Intel's GKL library bundles it (Linux x86-64): loaded once per JVM, and used only when it
 * loaded and decodes a sample exactly as the JDK's zlib does.
 */
final class Isal {

    private static final Logger LOG = LoggerFactory.getLogger(Isal.class);

    private Isal() {}

    /** Why ISA-L cannot be used here, or null when it can. */
    static String problem() {
        return Holder.PROBLEM;
    }

    /** A new raw-deflate inflater; only when {@link #problem()} is null. */
    static IntelInflater newInflater() {
        if (problem() != null) {
            throw new IllegalStateException("ISA-L cannot be used here: " + problem());
        }
        return newLoadedInflater();
    }

    private static IntelInflater newLoadedInflater() {
        IntelInflater inflater = new IntelInflater(true);
        inflater.reset();
        return inflater;
    }

    private static final class Holder {
        static final String PROBLEM = load();

        private static String load() {
            String problem;
            try {
                problem = new IntelInflater(true).load(null) ? selfTest() : "GKL's native library did not load";
            } catch (Throwable e) { // UnsatisfiedLinkError, SecurityException, a missing class: the JDK's zlib will do
                problem = "GKL's native library did not load: " + e;
            }
            if (problem == null) {
                LOG.info("gzip files are decompressed with ISA-L (Intel GKL)");
            } else {
                LOG.info("gzip files are decompressed with the JDK's zlib: {}", problem);
            }
            return problem;
        }

        /** Decodes a small deflate stream both ways; null when ISA-L's bytes are the JDK's. */
        private static String selfTest() {
            byte[] text = new byte[64 * 1024];
            for (int i = 0; i < text.length; i++) {
                text[i] = (byte) (i % 11 == 10 ? '\n' : 'A' + (i * 7919 % 26));
            }
            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            deflater.setInput(text);
            deflater.finish();
            byte[] packed = new byte[text.length + 1024];
            int n = deflater.deflate(packed);
            deflater.end();
            IntelInflater inflater = newLoadedInflater();
            try {
                byte[] out = new byte[text.length + 1];
                inflater.setInput(packed, 0, n);
                int m = inflater.inflate(out, 0, out.length);
                return m == text.length && Arrays.equals(text, 0, m, out, 0, m)
                        ? null
                        : "ISA-L decoded a sample wrongly (" + m + " bytes of " + text.length + ")";
            } finally {
                inflater.end();
            }
        }
    }
}
