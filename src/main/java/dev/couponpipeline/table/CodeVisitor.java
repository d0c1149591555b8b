package dev.couponpipeline.table;

/** Visits table entries; the code bytes are only valid during the call. */
@FunctionalInterface
public interface CodeVisitor {

    void visit(byte[] code, int len, long sourceMask);
}
