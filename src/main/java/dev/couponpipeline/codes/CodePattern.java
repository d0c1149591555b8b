package dev.couponpipeline.codes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The operator's code pattern ({@code coupon.code-pattern}), compiled once: makes a fresh extractor per source
 * file and answers whether a string is something the pattern could ever produce.
 *
 * <p>Patterns of the default shape {@code (?<![A-Za-z0-9])[A-Za-z0-9]{m,n}(?![A-Za-z0-9])} get the byte
 * scanner; any other pattern gets {@code java.util.regex} over ISO-8859-1 text. Both give the same codes.
 */
public final class CodePattern {

    public static final String DEFAULT = "(?<![A-Za-z0-9])[A-Za-z0-9]{8,10}(?![A-Za-z0-9])";

    private static final Pattern ALNUM_RUN_SHAPE =
            Pattern.compile("\\Q(?<![A-Za-z0-9])[A-Za-z0-9]{\\E(\\d{1,4})(?:,(\\d{1,4}))?\\Q}(?![A-Za-z0-9])\\E");

    private final String source;
    private final Pattern regex;
    private final long maxLineBytes;
    private final int runMin;
    private final int runMax;

    private CodePattern(String source, Pattern regex, long maxLineBytes, int runMin, int runMax) {
        this.source = source;
        this.regex = regex;
        this.maxLineBytes = maxLineBytes;
        this.runMin = runMin;
        this.runMax = runMax;
    }

    /** Compiles the pattern; a pattern that is invalid or that matches the empty string is refused. */
    public static CodePattern compile(String pattern, long maxLineBytes) {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException("coupon.code-pattern is empty");
        }
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("coupon.max-line-bytes must be positive, was " + maxLineBytes);
        }
        Pattern regex;
        try {
            regex = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    "coupon.code-pattern is not a valid java.util.regex pattern: " + e.getDescription() + " near index "
                            + e.getIndex() + " of " + pattern,
                    e);
        }
        if (regex.matcher("").matches()) {
            throw new IllegalArgumentException("coupon.code-pattern matches the empty string: " + pattern);
        }
        Matcher shape = ALNUM_RUN_SHAPE.matcher(pattern);
        if (shape.matches()) {
            int min = Integer.parseInt(shape.group(1));
            int max = shape.group(2) == null ? min : Integer.parseInt(shape.group(2));
            if (min >= 1 && max >= min) {
                return new CodePattern(pattern, regex, maxLineBytes, min, max);
            }
        }
        return new CodePattern(pattern, regex, maxLineBytes, 0, 0);
    }

    public static CodePattern defaultPattern() {
        return compile(DEFAULT, 1 << 20);
    }

    /** A new extractor for one stream; extractors are stateful and not shared. */
    public CodeExtractor newExtractor() {
        if (usesScanner()) {
            return new AlnumRunScanner(runMin, runMax, maxLineBytes);
        }
        return new RegexCodeExtractor(regex, maxLineBytes);
    }

    /** Extractor backed by the regex whatever the pattern's shape; the reference the scanner is tested against. */
    public CodeExtractor newRegexExtractor() {
        return new RegexCodeExtractor(regex, maxLineBytes);
    }

    public boolean usesScanner() {
        return runMin > 0;
    }

    /** True when extracting codes from a line holding just {@code code} yields exactly {@code code}. */
    public boolean canProduce(String code) {
        if (code == null || code.isEmpty() || code.indexOf('\n') >= 0) {
            return false;
        }
        for (int i = 0; i < code.length(); i++) {
            if (code.charAt(i) > 0xff) {
                return false;
            }
        }
        if (usesScanner()) {
            return new AlnumRunScanner(runMin, runMax, maxLineBytes).canProduce(code);
        }
        byte[] bytes = code.getBytes(StandardCharsets.ISO_8859_1);
        List<String> found = new ArrayList<>(2);
        CodeSink sink = (b, o, l) -> found.add(new String(b, o, l, StandardCharsets.ISO_8859_1));
        CodeExtractor extractor = newRegexExtractor();
        try {
            extractor.feed(bytes, 0, bytes.length, sink);
            extractor.finish(sink);
        } catch (java.io.IOException e) {
            return false;
        }
        return found.size() == 1 && found.get(0).equals(code);
    }

    public String source() {
        return source;
    }

    public long maxLineBytes() {
        return maxLineBytes;
    }

    @Override
    public String toString() {
        return source + (usesScanner() ? " (byte scanner)" : " (java.util.regex)");
    }
}
