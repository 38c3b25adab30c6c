package io.externalmetrics.adapter.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeClockTest {

    private final FakeClock time = new FakeClock(Instant.parse("2026-11-30T10:00:00Z"));
    private final List<String> ran = new CopyOnWriteArrayList<>();

    private Runnable record(String name) {
        return () -> ran.add(name + "@" + time.ticker().getAsLong() / 1_000_000 + "ms");
    }

    @Test
    void forward_runsEachTaskAtItsDueTime_inOrder_andNothingEarly() {
        time.scheduler().schedule(record("b"), 20, TimeUnit.MILLISECONDS);
        time.scheduler().schedule(record("a"), 10, TimeUnit.MILLISECONDS);
        time.scheduler().execute(record("now"));
        assertThat(ran).as("nothing runs inside schedule() or execute()").isEmpty();

        time.forward(Duration.ofMillis(19));
        assertThat(ran).containsExactly("now@0ms", "a@10ms");
        time.forward(Duration.ofMillis(1));
        assertThat(ran).containsExactly("now@0ms", "a@10ms", "b@20ms");
        assertThat(time.clock().instant()).isEqualTo(Instant.parse("2026-11-30T10:00:00.020Z"));
    }

    @Test
    void repeatingTasks_runEveryPeriod_fromTheirInitialDelay() {
        time.scheduler().scheduleAtFixedRate(record("rate"), 0, 10, TimeUnit.MILLISECONDS);
        time.scheduler().scheduleWithFixedDelay(record("delay"), 5, 15, TimeUnit.MILLISECONDS);

        time.forward(Duration.ofMillis(35));

        assertThat(ran).containsExactly("rate@0ms", "delay@5ms", "rate@10ms", "delay@20ms", "rate@20ms", "rate@30ms",
                "delay@35ms");
    }

    @Test
    void tasksScheduledByTasks_runInTheSameForward_whenDue() {
        Runnable first = () -> time.scheduler().schedule(record("second"), 5, TimeUnit.MILLISECONDS);
        time.scheduler().schedule(first, 5, TimeUnit.MILLISECONDS);

        time.forward(Duration.ofMillis(10));

        assertThat(ran).containsExactly("second@10ms");
    }

    @Test
    void cancel_removesTheTask() {
        ScheduledFuture<?> tick = time.scheduler().scheduleAtFixedRate(record("tick"), 0, 10, TimeUnit.MILLISECONDS);
        time.runDueTasks();

        tick.cancel(false);
        time.forward(Duration.ofSeconds(1));

        assertThat(ran).containsExactly("tick@0ms");
        assertThat(time.pendingTasks()).isZero();
        assertThat(tick.isCancelled()).isTrue();
    }

    @Test
    void aTaskThatKeepsReschedulingItselfAtOnce_failsInsteadOfHanging() {
        var loop = new Runnable() {
            @Override
            public void run() {
                time.scheduler().execute(this);
            }
        };
        time.scheduler().execute(loop);

        assertThatThrownBy(time::runDueTasks).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tasks ran at one instant");
    }
}
