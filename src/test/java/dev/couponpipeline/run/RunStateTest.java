package dev.couponpipeline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Proves a run completes only when every source ended with matching counts, and fails otherwise. */
class RunStateTest {

    static RunState newRun() {
        return new RunState("r1", List.of("a", "b", "c"), 2, 0, Instant.EPOCH);
    }

    static byte[] codes(String... codes) {
        return String.join("\n", codes).getBytes(StandardCharsets.US_ASCII);
    }

    static Set<String> valid(RunState run) {
        Set<String> out = new HashSet<>();
        run.forEachValid((c, l, m) -> out.add(new String(c, 0, l, StandardCharsets.US_ASCII)));
        return out;
    }

    @Test
    void should_complete_when_every_source_ended_with_matching_counts() {
        RunState run = newRun();
        run.acceptData("a", 0, codes("HAPPYHRS", "SUPER100", "HAPPYHRS"));
        run.acceptData("b", 0, codes("MOODYHRS"));
        run.acceptData("c", 0, codes("HAPPYHRS", "MOODYHRS"));
        run.acceptEnd("a", 0, 1, 3);
        run.acceptEnd("b", 0, 1, 1);
        assertFalse(run.isFinished());
        run.acceptEnd("c", 0, 1, 2);
        assertTrue(run.isComplete(), run.incompleteReason());
        assertEquals(Set.of("HAPPYHRS", "MOODYHRS"), valid(run));
        assertEquals(3L, run.codesPerSource().get("a"));
    }

    @Test
    void should_fail_when_a_record_was_lost() {
        RunState run = newRun();
        run.acceptData("a", 0, codes("HAPPYHRS"));
        run.acceptEnd("a", 0, 1, 2);
        run.acceptEnd("b", 0, 1, 0);
        run.acceptEnd("c", 0, 1, 0);
        assertTrue(run.isFinished());
        assertFalse(run.isComplete());
        assertTrue(run.failure().contains("sent 2 codes but 1 arrived"), run.failure());
    }

    @Test
    void should_fail_when_a_record_was_duplicated() {
        RunState run = newRun();
        run.acceptData("b", 0, codes("HAPPYHRS"));
        run.acceptData("b", 0, codes("HAPPYHRS"));
        run.acceptEnd("a", 0, 1, 0);
        run.acceptEnd("b", 0, 1, 1);
        run.acceptEnd("c", 0, 1, 0);
        assertFalse(run.isComplete());
    }

    @Test
    void should_wait_for_every_partition() {
        RunState run = new RunState("r1", List.of("a", "b"), 2, 0, Instant.EPOCH);
        run.acceptData("a", 1, codes("HAPPYHRS"));
        run.acceptData("b", 1, codes("HAPPYHRS"));
        run.acceptEnd("a", 0, 2, 0);
        run.acceptEnd("b", 0, 2, 0);
        run.acceptEnd("b", 1, 2, 1);
        assertFalse(run.isFinished());
        run.acceptEnd("a", 1, 2, 1);
        assertTrue(run.isComplete());
        assertEquals(Set.of("HAPPYHRS"), valid(run));
    }

    @Test
    void should_fail_on_abort_unknown_source_or_data_after_end() {
        RunState aborted = newRun();
        aborted.acceptAbort("b", "couponbase2.gz: truncated");
        assertTrue(aborted.isFinished());
        assertTrue(aborted.failure().contains("couponbase2.gz: truncated"));

        RunState unknown = newRun();
        unknown.acceptData("z", 0, codes("HAPPYHRS"));
        assertTrue(unknown.failure().contains("unknown source 'z'"));

        RunState late = newRun();
        late.acceptEnd("a", 0, 1, 0);
        late.acceptData("a", 0, codes("HAPPYHRS"));
        assertTrue(late.failure().contains("after its end-of-source record"));
    }

    @Test
    void should_remember_the_last_offset_of_each_topic_partition() {
        RunState run = newRun();
        run.rememberOffset("t", 0, 7);
        run.rememberOffset("t", 0, 9);
        run.rememberOffset("t", 0, 8); // a replayed record after a rewind never moves the position back
        run.rememberOffset("u", 1, 3);
        assertEquals(java.util.Map.of("t", java.util.Map.of(0, 9L), "u", java.util.Map.of(1, 3L)), run.lastOffsets());
    }
}
