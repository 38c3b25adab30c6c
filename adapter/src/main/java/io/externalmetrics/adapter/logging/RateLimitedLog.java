package io.externalmetrics.adapter.logging;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Logs a line that could recur with every request or retry (the kube-apiserver is down, a provider
 * keeps failing) when it is new, and while it recurs at most once per {@code interval}, saying how
 * often it recurred meanwhile: an outage costs a line every half minute, not one per request. Lines
 * are told apart by a key (the message itself unless given), so two problems that alternate are each
 * limited on their own.
 */
public final class RateLimitedLog {

    /** The interval the adapter uses everywhere. */
    public static final Duration INTERVAL = Duration.ofSeconds(30);

    /** More distinct keys than this within one interval: the oldest are forgotten (and may log again). */
    static final int MAX_KEYS = 256;

    private final System.Logger log;
    private final long intervalNanos;
    private final LongSupplier ticker;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private final Map<String, Seen> seen = new HashMap<>();

    /**
     * @param ticker nanoseconds, as {@link System#nanoTime()}
     */
    public RateLimitedLog(System.Logger log, Duration interval, LongSupplier ticker) {
        this.log = Objects.requireNonNull(log, "log");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** With the adapter's interval and {@link System#nanoTime()}. */
    public static RateLimitedLog of(System.Logger log) {
        return new RateLimitedLog(log, INTERVAL, System::nanoTime);
    }

    /** Logs {@code message}, keyed by itself. */
    public void log(Level level, String message) {
        log(level, message, message);
    }

    /** Logs {@code message} unless a line with {@code key} was logged less than an interval ago. */
    public void log(Level level, String key, String message) {
        repeats(key).ifPresent(repeated -> log.log(level, withRepeats(message, repeated)));
    }

    /** As {@link #log(Level, String, String)}, with the exception (and its stack trace) in the record. */
    public void log(Level level, String key, String message, Throwable error) {
        Objects.requireNonNull(error, "error");
        repeats(key).ifPresent(repeated -> log.log(level, withRepeats(message, repeated), error));
    }

    /** Empty when the line is suppressed; else how often it was suppressed since it was last logged. */
    private OptionalLong repeats(String key) {
        Objects.requireNonNull(key, "key");
        long now = ticker.getAsLong();
        lock.lock();
        try {
            Seen last = seen.get(key);
            if (last != null && now - last.loggedAt < intervalNanos) {
                last.repeats++;
                return OptionalLong.empty();
            }
            if (last == null && seen.size() >= MAX_KEYS) {
                forgetOldest(now);
            }
            seen.put(key, new Seen(now));
            return OptionalLong.of(last == null ? 0 : last.repeats);
        } finally {
            lock.unlock();
        }
    }

    /** Drops the keys whose interval is over; when none is, the one logged longest ago. */
    private void forgetOldest(long now) {
        seen.values().removeIf(s -> now - s.loggedAt >= intervalNanos);
        if (seen.size() >= MAX_KEYS) {
            seen.entrySet().stream()
                    .min((a, b) -> Long.compare(a.getValue().loggedAt - now, b.getValue().loggedAt - now))
                    .map(Map.Entry::getKey)
                    .ifPresent(seen::remove);
        }
    }

    private static String withRepeats(String message, long repeated) {
        return repeated == 0 ? message : message + " (again " + repeated + " times since it was last logged)";
    }

    /** When a key was last logged and how often it recurred since. */
    private static final class Seen {
        private final long loggedAt;
        private long repeats;

        Seen(long loggedAt) {
            this.loggedAt = loggedAt;
        }
    }
}
