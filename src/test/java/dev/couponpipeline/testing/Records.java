package dev.couponpipeline.testing;

import dev.couponpipeline.codes.CodeHash;
import dev.couponpipeline.codes.CodePacking;
import dev.couponpipeline.records.CodeRecordFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads a data record's codes back as strings (hashed codes first, grouped by hash), for assertions. */
public final class Records {

    private Records() {}

    public static List<String> codesOf(byte[] value) {
        List<String> codes = new ArrayList<>();
        new CodeRecordFormat.Decoder(1 << 20).decode(ByteBuffer.wrap(value), new CodeRecordFormat.CodeReceiver() {
            @Override
            public void packed(long[] hashes, int n) {
                byte[] b = new byte[CodePacking.MAX_PACKED_LENGTH];
                for (int i = 0; i < n; i++) {
                    int len = CodePacking.unpack(CodeHash.unmix(hashes[i]), b);
                    codes.add(new String(b, 0, len, StandardCharsets.ISO_8859_1));
                }
            }

            @Override
            public void text(byte[] code, int off, int len) {
                codes.add(new String(code, off, len, StandardCharsets.ISO_8859_1));
            }
        });
        return codes;
    }
}
