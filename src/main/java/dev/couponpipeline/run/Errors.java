package dev.couponpipeline.run;

/** What an error says, for the one line an operator reads. */
public final class Errors {

    private Errors() {}

    /** The message of the innermost cause (where the real reason is), or its type when it has none. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
