package dev.couponpipeline.codes;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts codes with any operator-supplied {@link Pattern}: the input is decoded as ISO-8859-1 (one char per
 * byte, so no input is ever undecodable), split into lines at {@code \n}, and every non-empty match that
 * {@link Matcher#find()} reports in a line is a code. A line is held whole, up to the line limit.
 */
final class RegexCodeExtractor implements CodeExtractor {

    private final Matcher matcher;
    private final long maxLineBytes;
    private byte[] line = new byte[256];
    private int lineLen;
    private long lineNumber = 1;

    RegexCodeExtractor(Pattern pattern, long maxLineBytes) {
        this.matcher = pattern.matcher("");
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void feed(byte[] buf, int off, int len, CodeSink sink) throws LineTooLongException {
        int end = off + len;
        int start = off;
        for (int i = off; i < end; i++) {
            if (buf[i] == '\n') {
                append(buf, start, i - start);
                matchLine(sink);
                lineNumber++;
                start = i + 1;
            }
        }
        append(buf, start, end - start);
    }

    private void append(byte[] buf, int off, int n) throws LineTooLongException {
        if (n == 0) {
            return;
        }
        if ((long) lineLen + n > maxLineBytes) {
            throw new LineTooLongException(lineNumber, maxLineBytes);
        }
        if (lineLen + n > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, Math.max((long) line.length * 2, lineLen + n)));
        }
        System.arraycopy(buf, off, line, lineLen, n);
        lineLen += n;
    }

    private void matchLine(CodeSink sink) {
        matcher.reset(new Latin1Chars(line, 0, lineLen));
        while (matcher.find()) {
            int s = matcher.start();
            int e = matcher.end();
            if (e > s) {
                sink.code(line, s, e - s);
            }
        }
        lineLen = 0;
    }

    @Override
    public void finish(CodeSink sink) {
        if (lineLen > 0) {
            matchLine(sink);
        }
    }

    @Override
    public long lineNumber() {
        return lineNumber;
    }
}
