package dev.couponpipeline.codes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Proves the byte scanner and the regex extractor find exactly what java.util.regex finds, line by line. */
class CodeExtractorTest {

    private static final CodePattern DEFAULT = CodePattern.defaultPattern();

    /** The reference: java.util.regex on the ISO-8859-1 text, one line at a time. */
    static List<String> reference(String pattern, byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        Pattern p = Pattern.compile(pattern);
        for (String line : text.split("\n", -1)) {
            Matcher m = p.matcher(line);
            while (m.find()) {
                if (m.end() > m.start()) {
                    out.add(m.group());
                }
            }
        }
        return out;
    }

    /**
     * Runs an extractor over the input cut into chunks at the given positions, into a sink that takes packed
     * codes (the byte scanner then packs every code of up to ten characters while it scans).
     */
    static List<String> extract(CodeExtractor extractor, byte[] input, int... cuts) throws IOException {
        List<String> out = new ArrayList<>();
        CodeSink sink = new PackedCodeSink() {
            @Override
            public void packed(long[] codes, int n) {
                byte[] b = new byte[dev.couponpipeline.codes.CodePacking.MAX_PACKED_LENGTH];
                for (int i = 0; i < n; i++) {
                    int len = dev.couponpipeline.codes.CodePacking.unpack(codes[i], b);
                    out.add(new String(b, 0, len, StandardCharsets.ISO_8859_1));
                }
            }

            @Override
            public void code(byte[] b, int o, int l) {
                out.add(new String(b, o, l, StandardCharsets.ISO_8859_1));
            }
        };
        return feedAll(extractor, input, sink, out, cuts);
    }

    /** As {@link #extract}, into a sink of code bytes only. */
    static List<String> extractBytes(CodeExtractor extractor, byte[] input, int... cuts) throws IOException {
        List<String> out = new ArrayList<>();
        return feedAll(
                extractor, input, (b, o, l) -> out.add(new String(b, o, l, StandardCharsets.ISO_8859_1)), out, cuts);
    }

    private static List<String> feedAll(
            CodeExtractor extractor, byte[] input, CodeSink sink, List<String> out, int... cuts) throws IOException {
        int from = 0;
        for (int cut : cuts) {
            extractor.feed(input, from, cut - from, sink);
            from = cut;
        }
        extractor.feed(input, from, input.length - from, sink);
        extractor.finish(sink);
        return out;
    }

    static List<String> scan(String text) throws IOException {
        return extract(DEFAULT.newExtractor(), text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void should_use_the_byte_scanner_for_the_default_pattern() {
        assertTrue(DEFAULT.usesScanner());
        assertFalse(CodePattern.compile("[A-Z]{3}-[0-9]{4}", 1000).usesScanner());
    }

    @Test
    void should_find_codes_of_8_to_10_letters_or_digits() throws IOException {
        assertEquals(List.of("HAPPYHRS", "abc123XYZ0", "123456789"), scan("HAPPYHRS\nabc123XYZ0\n123456789\n"));
    }

    @Test
    void should_ignore_runs_that_are_too_short_or_too_long() throws IOException {
        assertEquals(List.of(), scan("ABCDEFG\nABCDEFGHIJK\nABCDEFGHIJKLMNOPQRSTUVWXYZ\n"));
    }

    @Test
    void should_treat_crlf_punctuation_underscore_and_high_bytes_as_separators() throws IOException {
        byte[] input = "CODE0001\r\nCODE0002,CODE0003;CODE0004_CODE0005 CODE0006\u00e9CODE0007\u00ffCODE0008-x"
                .getBytes(StandardCharsets.ISO_8859_1);
        List<String> expected =
                List.of("CODE0001", "CODE0002", "CODE0003", "CODE0004", "CODE0005", "CODE0006", "CODE0007", "CODE0008");
        assertEquals(expected, extract(DEFAULT.newExtractor(), input));
        assertEquals(expected, reference(CodePattern.DEFAULT, input));
    }

    @Test
    void should_keep_case_and_find_the_last_code_without_a_final_newline() throws IOException {
        assertEquals(List.of("happyhrs", "HAPPYHRS"), scan("happyhrs\n\n\nHAPPYHRS"));
    }

    @Test
    void should_find_codes_cut_at_every_possible_buffer_boundary() throws IOException {
        byte[] input = "xx ABCDEFGHIJ\nABCDEFGHIJK 12345678\r\nzz\n".getBytes(StandardCharsets.US_ASCII);
        List<String> expected = reference(CodePattern.DEFAULT, input);
        assertEquals(List.of("ABCDEFGHIJ", "12345678"), expected);
        for (int a = 0; a <= input.length; a++) {
            for (int b = a; b <= input.length; b++) {
                assertEquals(expected, extract(DEFAULT.newExtractor(), input, a, b), "cuts " + a + "," + b);
                assertEquals(expected, extractBytes(DEFAULT.newExtractor(), input, a, b), "bytes " + a + "," + b);
                assertEquals(expected, extract(DEFAULT.newRegexExtractor(), input, a, b), "regex cuts " + a + "," + b);
            }
        }
    }

    @Test
    void should_match_java_regex_on_random_input_with_random_chunking() throws IOException {
        Random random = new Random(42);
        byte[] alphabet = "AZaz09Q7\n\r _-,.\u00e9\u00ff\u0080".getBytes(StandardCharsets.ISO_8859_1);
        for (int round = 0; round < 2000; round++) {
            byte[] input = new byte[random.nextInt(300)];
            for (int i = 0; i < input.length; i++) {
                // long alphanumeric runs are what the scanner must bound, so favour them
                input[i] = random.nextInt(10) < 8
                        ? alphabet[random.nextInt(6)]
                        : alphabet[random.nextInt(alphabet.length)];
            }
            int[] cuts =
                    random.ints(random.nextInt(6), 0, input.length + 1).sorted().toArray();
            List<String> expected = reference(CodePattern.DEFAULT, input);
            assertEquals(expected, extract(DEFAULT.newExtractor(), input, cuts), "round " + round);
            assertEquals(expected, extractBytes(DEFAULT.newExtractor(), input, cuts), "bytes round " + round);
            assertEquals(expected, extract(DEFAULT.newRegexExtractor(), input, cuts), "regex round " + round);
        }
    }

    @Test
    void should_use_java_regex_exactly_for_a_custom_pattern() throws IOException {
        String pattern = "(?<![A-Z])[A-Z]{3}-[0-9]{2,4}";
        CodePattern custom = CodePattern.compile(pattern, 10_000);
        Random random = new Random(7);
        byte[] alphabet = "ABC0123-\n x".getBytes(StandardCharsets.ISO_8859_1);
        for (int round = 0; round < 1000; round++) {
            byte[] input = new byte[random.nextInt(200)];
            for (int i = 0; i < input.length; i++) {
                input[i] = alphabet[random.nextInt(alphabet.length)];
            }
            int[] cuts =
                    random.ints(random.nextInt(5), 0, input.length + 1).sorted().toArray();
            assertEquals(reference(pattern, input), extract(custom.newExtractor(), input, cuts), "round " + round);
        }
    }

    @Test
    void should_use_the_scanner_for_other_run_lengths_of_the_default_shape() throws IOException {
        CodePattern six = CodePattern.compile("(?<![A-Za-z0-9])[A-Za-z0-9]{6}(?![A-Za-z0-9])", 1000);
        assertTrue(six.usesScanner());
        byte[] input = "ABCDEF ABCDEFG abc12 X1Y2Z3\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(List.of("ABCDEF", "X1Y2Z3"), extract(six.newExtractor(), input));
    }

    @Test
    void should_fail_on_a_line_longer_than_the_limit_in_both_extractors() {
        CodePattern limited = CodePattern.compile(CodePattern.DEFAULT, 64);
        byte[] input = ("OK123456\n" + "x".repeat(65) + "\n").getBytes(StandardCharsets.US_ASCII);
        LineTooLongException e =
                assertThrows(LineTooLongException.class, () -> extract(limited.newExtractor(), input, 3, 40));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(LineTooLongException.class, () -> extract(limited.newRegexExtractor(), input, 3, 40));
        // exactly at the limit is fine
        byte[] atLimit = ("x".repeat(64) + "\n" + "y".repeat(64)).getBytes(StandardCharsets.US_ASCII);
        assertTrue(assertDoesNotThrow(() -> extract(limited.newExtractor(), atLimit))
                .isEmpty());
    }

    private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> s) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(s);
    }

    @Test
    void should_tell_which_strings_the_pattern_could_produce() {
        assertTrue(DEFAULT.canProduce("HAPPYHRS"));
        assertTrue(DEFAULT.canProduce("abcdEFGH12"));
        assertFalse(DEFAULT.canProduce("SHORT"));
        assertFalse(DEFAULT.canProduce("ABCDEFGHIJK"));
        assertFalse(DEFAULT.canProduce("HAPPY-HRS"));
        assertFalse(DEFAULT.canProduce("HAPPYHR\u00e9"));
        assertFalse(DEFAULT.canProduce(""));
        CodePattern custom = CodePattern.compile("[A-Z]{3}-[0-9]{2}", 100);
        assertTrue(custom.canProduce("ABC-12"));
        assertFalse(custom.canProduce("ABC-123"));
        assertFalse(custom.canProduce("xABC-12"));
    }

    @Test
    void should_refuse_invalid_or_empty_matching_patterns() {
        assertThrows(IllegalArgumentException.class, () -> CodePattern.compile("[A-Z", 100));
        assertThrows(IllegalArgumentException.class, () -> CodePattern.compile("A*", 100));
        assertThrows(IllegalArgumentException.class, () -> CodePattern.compile("", 100));
    }
}
