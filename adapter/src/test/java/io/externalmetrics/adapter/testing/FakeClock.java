package io.externalmetrics.adapter.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Virtual time for tests: a {@link ScheduledExecutorService} whose tasks run only when the test
 * moves time ({@link #forward}), and a wall {@link Clock} and a nanosecond ticker that read the same
 * virtual time. Modelled on grpc-java's {@code FakeClock}, with one difference: time moves task by
 * task, so a task runs at (and reads) the virtual instant it was due, as it would on a real scheduler.
 *
 * <p>Tasks never run inside {@code schedule()} or {@code execute()}, only in {@link #forward} and
 * {@link #runDueTasks}, on the calling thread. Any thread may schedule; one thread (the test's) moves time.
 */
public final class FakeClock {

    /** More tasks than this at one virtual instant is a loop that never lets time move: fail instead of hanging. */
    private static final int MAX_TASKS_AT_ONE_INSTANT = 100_000;

    private final Instant start;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long nanos;
    private long sequence;
    private boolean shutdown;

    private final Scheduler scheduler = new Scheduler();
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return start.plusNanos(nanoTime());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("a fake clock is UTC only");
        }
    };

    /** Virtual time starting at {@code start} (the wall clock) and at 0 (the ticker). */
    public FakeClock(Instant start) {
        this.start = start;
    }

    public FakeClock() {
        this(Instant.parse("2026-11-30T10:00:00Z"));
    }

    /** The scheduler; its tasks run in {@link #forward} and {@link #runDueTasks}. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** The wall clock on virtual time. */
    public Clock clock() {
        return clock;
    }

    /** A monotonic nanosecond ticker on virtual time (what {@code System::nanoTime} is in production). */
    public LongSupplier ticker() {
        return this::nanoTime;
    }

    private long nanoTime() {
        lock.lock();
        try {
            return nanos;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves time forward by {@code by}, running every task that falls due on the way at its own due
     * time (tasks those tasks schedule included).
     *
     * @return how many tasks ran
     */
    public int forward(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time only moves forward, got " + by);
        }
        long target;
        lock.lock();
        try {
            target = nanos + by.toNanos();
        } finally {
            lock.unlock();
        }
        int ran = 0;
        int atThisInstant = 0;
        while (true) {
            Task task;
            lock.lock();
            try {
                task = queue.peek();
                if (task == null || task.due > target) {
                    nanos = target;
                    return ran;
                }
                queue.poll();
                atThisInstant = task.due > nanos ? 0 : atThisInstant + 1;
                nanos = Math.max(nanos, task.due);
            } finally {
                lock.unlock();
            }
            if (atThisInstant > MAX_TASKS_AT_ONE_INSTANT) {
                throw new IllegalStateException(MAX_TASKS_AT_ONE_INSTANT + " tasks ran at one instant: a task keeps "
                        + "scheduling itself without delay, e.g. " + task.command);
            }
            task.run();
            ran++;
        }
    }

    /** Runs the tasks already due, without moving time. */
    public int runDueTasks() {
        return forward(Duration.ZERO);
    }

    /** How many tasks wait (due or not), repeating ones counted once. */
    public int pendingTasks() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** The delays of the waiting tasks from now, soonest first. */
    public List<Duration> pendingDelays() {
        lock.lock();
        try {
            List<Duration> delays = new ArrayList<>();
            queue.stream().sorted().forEach(t -> delays.add(Duration.ofNanos(t.due - nanos)));
            return delays;
        } finally {
            lock.unlock();
        }
    }

    private Task enqueue(Runnable command, long delayNanos, long periodNanos, boolean fixedRate) {
        lock.lock();
        try {
            if (shutdown) {
                throw new RejectedExecutionException("the fake scheduler is shut down");
            }
            var task = new Task(command, nanos + Math.max(delayNanos, 0), periodNanos, fixedRate, sequence++);
            queue.add(task);
            return task;
        } finally {
            lock.unlock();
        }
    }

    /** One scheduled task; repeating tasks put themselves back after each run. */
    private final class Task implements ScheduledFuture<Object> {
        private final Runnable command;
        private final long period;
        private final boolean fixedRate;
        private final CompletableFuture<Object> result = new CompletableFuture<>();
        // guarded by lock
        private long due;
        private long order;

        Task(Runnable command, long due, long period, boolean fixedRate, long order) {
            this.command = command;
            this.due = due;
            this.period = period;
            this.fixedRate = fixedRate;
            this.order = order;
        }

        void run() {
            if (result.isDone()) {
                return;
            }
            try {
                command.run();
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e); // as a real scheduler does: a repeating task that throws stops
                return;
            }
            if (period == 0) {
                result.complete(null);
                return;
            }
            lock.lock();
            try {
                if (!result.isDone() && !shutdown) {
                    due = fixedRate ? due + period : nanos + period;
                    order = sequence++;
                    queue.add(this);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            lock.lock();
            try {
                queue.remove(this);
            } finally {
                lock.unlock();
            }
            return result.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return result.isCancelled();
        }

        @Override
        public boolean isDone() {
            return result.isDone();
        }

        @Override
        public Object get() throws InterruptedException, ExecutionException {
            return result.get();
        }

        @Override
        public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException,
                TimeoutException {
            return result.get(timeout, unit);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            lock.lock();
            try {
                return unit.convert(due - nanos, TimeUnit.NANOSECONDS);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int compareTo(Delayed other) {
            Task that = (Task) other;
            int byDue = Long.compare(due, that.due);
            return byDue != 0 ? byDue : Long.compare(order, that.order);
        }
    }

    /** The scheduler's face: every task goes through the virtual-time queue. */
    private final class Scheduler extends AbstractExecutorService implements ScheduledExecutorService {

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            return enqueue(command, unit.toNanos(delay), 0, false);
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException("schedule a Runnable");
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            return enqueue(command, unit.toNanos(initialDelay), positive(unit.toNanos(period)), true);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                         TimeUnit unit) {
            return enqueue(command, unit.toNanos(initialDelay), positive(unit.toNanos(delay)), false);
        }

        private static long positive(long period) {
            if (period <= 0) {
                throw new IllegalArgumentException("period must be positive, got " + period + "ns");
            }
            return period;
        }

        @Override
        public void execute(Runnable command) {
            enqueue(command, 0, 0, false);
        }

        @Override
        public void shutdown() {
            lock.lock();
            try {
                shutdown = true;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public List<Runnable> shutdownNow() {
            lock.lock();
            try {
                shutdown = true;
                List<Runnable> waiting = queue.stream().map(t -> t.command).toList();
                queue.clear();
                return waiting;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean isShutdown() {
            lock.lock();
            try {
                return shutdown;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean isTerminated() {
            return isShutdown();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return isShutdown();
        }
    }
}
