package dev.couponpipeline.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.aggregate.PartEnds;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A replay's end records: the old run's ranges under the new run's id, pointing at the old run's records. */
class ControlRecordTest {

    private final ControlRecord end =
            ControlRecord.ended("20261201T020000.000Z", "a", 3, 32, "couponbase1.gz", 100, 180, 9, 90_000);

    @Test
    void a_run_reads_its_own_records_unless_it_replays_another() {
        assertNull(end.dataRun());
        assertEquals("20261201T020000.000Z", end.recordsOf());
        assertFalse(new String(end.toBytes(), StandardCharsets.UTF_8).contains("dataRun"), "not written when null");

        ControlRecord replay =
                ControlRecord.parse(end.replayedAs("20261202T020000.000Z").toBytes());
        assertEquals("20261202T020000.000Z", replay.run());
        assertEquals("20261201T020000.000Z", replay.recordsOf());
        assertEquals(
                List.of(
                        end.source(),
                        end.partition(),
                        end.partitions(),
                        end.topic(),
                        end.first(),
                        end.last(),
                        end.records(),
                        end.codes()),
                List.of(
                        replay.source(),
                        replay.partition(),
                        replay.partitions(),
                        replay.topic(),
                        replay.first(),
                        replay.last(),
                        replay.records(),
                        replay.codes()));
        // a replay of the replay still reads the first run's records
        assertEquals(
                "20261201T020000.000Z",
                replay.replayedAs("20261203T020000.000Z").recordsOf());
    }

    @Test
    void a_part_reads_the_records_of_one_run_only() {
        ControlRecord b = ControlRecord.ended("20261201T020000.000Z", "b", 3, 32, "couponbase2.gz", 5, 9, 5, 50_000);
        PartEnds same = new PartEnds("20261202T020000.000Z", 3, List.of("a", "b"));
        same.add(end.replayedAs("20261202T020000.000Z"));
        same.add(b.replayedAs("20261202T020000.000Z"));
        assertTrue(same.isComplete());
        assertEquals("20261201T020000.000Z", same.recordsOf());

        PartEnds mixed = new PartEnds("20261202T020000.000Z", 3, List.of("a", "b"));
        mixed.add(end.replayedAs("20261202T020000.000Z"));
        mixed.add(ControlRecord.ended("20261202T020000.000Z", "b", 3, 32, "couponbase2.gz", 5, 9, 5, 50_000));
        assertFalse(mixed.isComplete());
        assertTrue(mixed.isFinished(), "it fails rather than mixing two runs' records");
    }
}
