package dev.couponpipeline.run;

/** What a record on a source topic carries. */
public enum RecordKind {
    /** Codes, {@code \n}-separated. */
    DATA,
    /** End of one source's codes for one partition, carrying how many codes were sent to it. */
    END,
    /** The source failed mid-run; the run can never complete. */
    ABORT;

    public static RecordKind parse(String s) {
        if (s == null) {
            return DATA;
        }
        return switch (s) {
            case "data" -> DATA;
            case "end" -> END;
            case "abort" -> ABORT;
            default -> throw new IllegalArgumentException("unknown record kind " + s);
        };
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
