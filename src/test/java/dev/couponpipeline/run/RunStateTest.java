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

    @Test
    void should_complete_each_instance_on_its_own_partitions_and_together_give_the_whole_answer() {
        // P = 2: partition 0 holds HAPPYHRS and SUPER100, partition 1 holds MOODYHRS (as routed by the producer)
        RunState first = newRun();
        first.countOnly(p -> p == 0);
        RunState second = newRun();
        second.countOnly(p -> p == 1);
        first.acceptData("a", 0, codes("HAPPYHRS", "SUPER100"));
        first.acceptData("b", 0, codes("HAPPYHRS"));
        second.acceptData("b", 1, codes("MOODYHRS"));
        second.acceptData("c", 1, codes("MOODYHRS"));
        for (String s : List.of("a", "b", "c")) {
            first.acceptEnd(s, 0, 2, s.equals("a") ? 2 : s.equals("b") ? 1 : 0);
        }
        assertTrue(first.isComplete(), first.incompleteReason());
        assertFalse(second.isComplete(), "its partition has not ended yet");
        for (String s : List.of("a", "b", "c")) {
            second.acceptEnd(s, 1, 2, s.equals("a") ? 0 : 1);
        }
        assertTrue(second.isComplete(), second.incompleteReason());
        assertEquals(List.of(0), first.countedParts());
        assertEquals(List.of(1), second.countedParts());
        Set<String> all = new HashSet<>(valid(first));
        all.addAll(valid(second));
        assertEquals(Set.of("HAPPYHRS", "MOODYHRS"), all);
    }

    @Test
    void should_forget_a_partition_that_moved_to_another_instance() {
        RunState run = newRun();
        java.util.Set<Integer> owned = new java.util.HashSet<>(Set.of(0, 1));
        run.countOnly(owned::contains);
        run.acceptData("a", 1, codes("MOODYHRS"));
        run.acceptData("b", 1, codes("MOODYHRS"));
        run.acceptData("a", 0, codes("HAPPYHRS"));
        run.acceptData("b", 0, codes("HAPPYHRS"));
        run.rememberOffset("ta", 0, 5);
        run.rememberOffset("ta", 1, 7);
        owned.remove(1);
        run.dropPartition(1);
        assertEquals(java.util.Map.of("ta", java.util.Map.of(0, 5L)), run.lastOffsets(),
                "the moved partition's offsets are the new owner's to commit");
        assertEquals(Set.of("HAPPYHRS"), valid(run));
        for (String s : List.of("a", "b", "c")) {
            run.acceptEnd(s, 0, 2, s.equals("c") ? 0 : 1);
        }
        assertTrue(run.isComplete(), "partition 1 no longer counts here: " + run.incompleteReason());
        assertEquals(List.of(0), run.countedParts());
        assertEquals(1, run.codesPerSource().get("a"));
    }
}
