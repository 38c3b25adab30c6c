package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BulkheadTest {

    @Test
    void fetchesOverTheBound_waitInLine_andStartInOrderAsOthersEnd() {
        var bulkhead = new Bulkhead(2);
        List<String> started = new ArrayList<>();

        for (String fetch : List.of("a", "b", "c", "d")) {
            bulkhead.enter(() -> started.add(fetch));
        }
        assertThat(started).containsExactly("a", "b");
        assertThat(bulkhead.waiting()).isEqualTo(2);

        bulkhead.release();
        assertThat(started).containsExactly("a", "b", "c");
        bulkhead.release();
        bulkhead.release();
        assertThat(started).containsExactly("a", "b", "c", "d");
        assertThat(bulkhead.waiting()).isZero();

        bulkhead.release(); // d ended: both permits free again
        bulkhead.enter(() -> started.add("e"));
        bulkhead.enter(() -> started.add("f"));
        assertThat(started).endsWith("e", "f");
    }

    @Test
    void fetchesThatEndAtOnce_startTheirSuccessors_withoutGoingDeeperOnTheStack() {
        var bulkhead = new Bulkhead(1);
        var holder = new ArrayList<Runnable>();
        bulkhead.enter(() -> holder.add(bulkhead::release)); // holds the only permit
        int[] ran = new int[1];
        int[] deepest = new int[1];
        int base = Thread.currentThread().getStackTrace().length;
        for (int i = 0; i < 10_000; i++) {
            bulkhead.enter(() -> {
                ran[0]++;
                deepest[0] = Math.max(deepest[0], Thread.currentThread().getStackTrace().length - base);
                bulkhead.release(); // ends on the thread that started it, as an in-process call does
            });
        }
        assertThat(bulkhead.waiting()).isEqualTo(10_000);

        holder.getFirst().run();

        assertThat(ran[0]).isEqualTo(10_000);
        assertThat(deepest[0]).as("frames below the first release").isLessThan(20);
        assertThat(bulkhead.waiting()).isZero();
    }
}
