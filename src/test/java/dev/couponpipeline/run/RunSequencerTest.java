package dev.couponpipeline.run;

import static dev.couponpipeline.run.RunStateTest.codes;
import static dev.couponpipeline.run.RunStateTest.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Proves the sequencer closes runs whose producer died (a newer run's record overtook their end record) and that a
 * Kafka rewind makes the open runs take the rewound records again without counting them twice. Every record goes
 * through {@link RunSequencer#onRecord} first, as the aggregator route does.
 */
class RunSequencerTest {

    private final RunSequencer sequencer = new RunSequencer();

    private RunState open(String runId) {
        RunState run = new RunState(runId, List.of("a", "b", "c"), 2, 0, Instant.EPOCH);
        sequencer.opened(run);
        return run;
    }

    private List<String> data(RunState run, String source, long offset, String... codes) {
        List<String> dead = sequencer.onRecord(run.runId(), source, 0, offset);
        run.acceptData(source, 0, offset, codes(codes));
        return dead;
    }

    private List<String> end(RunState run, String source, long offset, long sent) {
        List<String> dead = sequencer.onRecord(run.runId(), source, 0, offset);
        run.acceptEnd(source, 0, offset, 1, sent);
        return dead;
    }

    @Test
    void should_close_a_run_whose_end_record_a_newer_run_overtook() {
        RunState a = open("20261124T010000.000Z");
        assertEquals(List.of(), data(a, "a", 0, "HAPPYHRS", "SUPER100"));
        assertEquals(List.of(), end(a, "a", 1, 2));
        assertEquals(List.of(), data(a, "b", 0, "HAPPYHRS"));
        assertTrue(a.tableBytes() > 0);

        // run b starts on a-0, where a has ended: a may still be finishing elsewhere
        RunState b = open("20261124T020000.000Z");
        assertEquals(List.of(), data(b, "a", 2, "MOODYHRS"));
        assertNull(a.failure());
        // then on b-0, where a never sent its end record: a's producer is gone
        assertEquals(List.of(a.runId()), data(b, "b", 1, "MOODYHRS"));
        assertTrue(a.failure().startsWith("superseded: run " + b.runId()), a.failure());
        assertEquals(0, a.tableBytes(), "a failed run's tables are freed at once");
        sequencer.closed(a.runId());

        assertEquals(List.of(), end(b, "a", 3, 1));
        assertEquals(List.of(), end(b, "b", 2, 1));
        assertEquals(List.of(), data(b, "c", 0, "OTHERONE"));
        assertEquals(List.of(), end(b, "c", 1, 1));
        assertTrue(b.isComplete(), b.incompleteReason());
        assertEquals(Set.of("MOODYHRS"), valid(b));
    }

    @Test
    void should_never_supersede_a_newer_run_or_a_run_that_ended_on_the_partition() {
        RunState a = open("20261124T010000.000Z");
        RunState b = open("20261124T020000.000Z");
        assertEquals(List.of(), end(a, "a", 0, 0));
        assertEquals(List.of(), data(b, "a", 1, "HAPPYHRS"));
        // a record of the older run on a partition where the newer one is open changes nothing for the newer one
        assertEquals(List.of(), data(a, "b", 0, "HAPPYHRS"));
        assertNull(a.failure());
        assertNull(b.failure());
    }

    @Test
    void should_rebuild_a_rewound_partition_without_counting_it_twice() {
        RunState a = open("20261124T010000.000Z");
        data(a, "a", 10, "HAPPYHRS", "SUPER100");
        data(a, "a", 11, "MOODYHRS");
        end(a, "a", 12, 3);
        data(a, "b", 0, "HAPPYHRS", "MOODYHRS");
        end(a, "b", 1, 2);
        data(a, "c", 0, "SUPER100");
        // before c's end arrives, a rebalance restarts a-0 and b-0 at the committed offsets (the run's start)
        assertEquals(List.of(), sequencer.onRecord(a.runId(), "a", 0, 10));
        assertFalse(a.hasEnded("a", 0), "a-0's end is forgotten until it arrives again");
        assertEquals(Set.of(), valid(a), "without source a no code is in two sources");
        a.acceptData("a", 0, 10, codes("HAPPYHRS", "SUPER100"));
        data(a, "a", 11, "MOODYHRS");
        end(a, "a", 12, 3);
        data(a, "b", 0, "HAPPYHRS", "MOODYHRS");
        end(a, "b", 1, 2);
        end(a, "c", 1, 1);
        assertTrue(a.isComplete(), a.incompleteReason());
        assertEquals(Set.of("HAPPYHRS", "MOODYHRS", "SUPER100"), valid(a));
        assertEquals(3, a.distinctCodes());
        assertEquals(3, a.codesPerSource().get("a"), "a-0 counted once, not twice");
    }

    @Test
    void should_fail_without_rewind_detection_when_records_come_twice() {
        // the same replay as above, but not through the sequencer: the counts catch it, the run is not published
        RunState a = new RunState("r", List.of("a", "b", "c"), 2, 0, Instant.EPOCH);
        a.acceptData("a", 0, codes("HAPPYHRS", "SUPER100"));
        a.acceptData("a", 0, codes("HAPPYHRS", "SUPER100"));
        a.acceptEnd("a", 0, 1, 2);
        a.acceptEnd("b", 0, 1, 0);
        a.acceptEnd("c", 0, 1, 0);
        assertFalse(a.isComplete());
        assertTrue(a.failure().contains("sent 2 codes but 4 arrived"), a.failure());
    }

    @Test
    void should_fail_a_run_when_kafka_rewinds_into_the_middle_of_its_records() {
        RunState a = open("20261124T010000.000Z");
        data(a, "a", 10, "HAPPYHRS");
        data(a, "a", 11, "SUPER100");
        assertEquals(List.of(a.runId()), data(a, "a", 11, "SUPER100"));
        assertTrue(a.failure().contains("inside this run's records (10..11)"), a.failure());
    }

    @Test
    void should_leave_runs_alone_when_a_rewind_is_before_none_of_their_records() {
        RunState a = open("20261124T010000.000Z");
        data(a, "a", 10, "HAPPYHRS");
        data(a, "b", 5, "HAPPYHRS");
        // c-0 rewinds, but the run has no c records yet
        String olderClosedRun = "20261123T010000.000Z";
        sequencer.onRecord(olderClosedRun, "c", 0, 7);
        assertEquals(List.of(), sequencer.onRecord(olderClosedRun, "c", 0, 3));
        assertNull(a.failure());
        assertEquals(Set.of("HAPPYHRS"), valid(a));
    }
}
