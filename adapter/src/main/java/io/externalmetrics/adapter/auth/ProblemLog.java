package io.externalmetrics.adapter.auth;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Logs a problem that recurs with every request (the kube-apiserver is down) as a WARNING when it is new,
 * and while it lasts at most once per {@code interval}, saying how often it recurred meanwhile: an outage
 * costs a line every half minute, not one per request.
 */
final class ProblemLog {

    static final Duration INTERVAL = Duration.ofSeconds(30);

    private final System.Logger log;
    private final long intervalNanos;
    private final LongSupplier ticker;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private String last;
    private long lastAt;
    private long repeats;

    /** @param ticker nanoseconds, as {@link System#nanoTime()} */
    ProblemLog(System.Logger log, Duration interval, LongSupplier ticker) {
        this.log = Objects.requireNonNull(log, "log");
        this.intervalNanos = interval.toNanos();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    void warn(String problem) {
        long now = ticker.getAsLong();
        long repeated;
        lock.lock();
        try {
            if (problem.equals(last) && now - lastAt < intervalNanos) {
                repeats++;
                return;
            }
            repeated = problem.equals(last) ? repeats : 0;
            last = problem;
            lastAt = now;
            repeats = 0;
        } finally {
            lock.unlock();
        }
        log.log(Level.WARNING, repeated == 0 ? problem
                : problem + " (again " + repeated + " times since it was last logged)");
    }
}
