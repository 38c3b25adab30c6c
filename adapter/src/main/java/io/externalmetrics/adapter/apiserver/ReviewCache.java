package io.externalmetrics.adapter.apiserver;

import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Review results by key, each kept for a time its value decides (allowed and denied differ), at most
 * {@code maxEntries} of them: when full, expired entries go first, then the oldest. A miss makes one review
 * however many callers ask for the same key meanwhile: the first caller reviews, the others wait for its
 * result (or its failure). Failures are never kept, so the next caller reviews again.
 *
 * <p>A hit reads a concurrent map without a lock (reviews sit on every request's path); misses, writes
 * and eviction take one lock, never held while reviewing or waiting.
 */
final class ReviewCache<K, V> {

    private record Entry<V>(V value, long expiresAt) {
    }

    private final int maxEntries;
    private final LongSupplier ticker;
    private final Function<? super V, Duration> timeToLive;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock; insertion order is age order (an entry is removed before it is put again)
    private final LinkedHashMap<K, Entry<V>> entries = new LinkedHashMap<>();
    // the same entries, for hits without the lock; written only under the lock, with entries
    private final ConcurrentHashMap<K, Entry<V>> lookup = new ConcurrentHashMap<>();
    // guarded by lock
    private final Map<K, CompletableFuture<V>> inFlight = new HashMap<>();
    // guarded by lock
    private int waiting;

    /**
     * @param timeToLive how long a value is kept; zero or negative: not kept
     * @param ticker     nanoseconds, as {@link System#nanoTime()}
     */
    ReviewCache(int maxEntries, Function<? super V, Duration> timeToLive, LongSupplier ticker) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.timeToLive = timeToLive;
        this.ticker = ticker;
    }

    /** The kept value for {@code key}, or the result of one {@code review} of it shared with concurrent callers. */
    V get(K key, Function<? super K, ? extends V> review) {
        Entry<V> hit = lookup.get(key);
        if (hit != null && ticker.getAsLong() - hit.expiresAt() < 0) {
            return hit.value();
        }
        CompletableFuture<V> flight;
        boolean first = false;
        lock.lock();
        try {
            Entry<V> entry = entries.get(key);
            if (entry != null) {
                if (ticker.getAsLong() - entry.expiresAt() < 0) {
                    return entry.value();
                }
                entries.remove(key);
                lookup.remove(key);
            }
            flight = inFlight.get(key);
            if (flight == null) {
                flight = new CompletableFuture<>();
                inFlight.put(key, flight);
                first = true;
            } else {
                waiting++;
            }
        } finally {
            lock.unlock();
        }
        return first ? review(key, flight, review) : await(flight);
    }

    private V review(K key, CompletableFuture<V> flight, Function<? super K, ? extends V> review) {
        V value;
        try {
            value = review.apply(key);
        } catch (RuntimeException | Error e) {
            finish(key, null);
            flight.completeExceptionally(e);
            throw e;
        }
        finish(key, value);
        flight.complete(value);
        return value;
    }

    /** Ends the flight and keeps {@code value} unless the review failed (null). */
    private void finish(K key, V value) {
        lock.lock();
        try {
            inFlight.remove(key);
            if (value == null) {
                return;
            }
            long ttl = timeToLive.apply(value).toNanos();
            if (ttl <= 0) {
                return;
            }
            long now = ticker.getAsLong();
            var entry = new Entry<>(value, now + ttl);
            entries.remove(key);
            entries.put(key, entry);
            lookup.put(key, entry);
            if (entries.size() > maxEntries) {
                entries.entrySet().removeIf(e -> {
                    boolean expired = now - e.getValue().expiresAt() >= 0;
                    if (expired) {
                        lookup.remove(e.getKey());
                    }
                    return expired;
                });
            }
            Iterator<K> oldest = entries.keySet().iterator();
            while (entries.size() > maxEntries) {
                lookup.remove(oldest.next());
                oldest.remove();
            }
        } finally {
            lock.unlock();
        }
    }

    private V await(CompletableFuture<V> flight) {
        try {
            return flight.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ReviewUnavailableException unavailable) {
                // a new exception per waiter, so each has its own stack; same message
                throw new ReviewUnavailableException(unavailable.getMessage(), unavailable);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new ReviewUnavailableException("a review failed", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReviewUnavailableException("interrupted while waiting for a review", e);
        } finally {
            lock.lock();
            try {
                waiting--;
            } finally {
                lock.unlock();
            }
        }
    }

    /** How many values are kept (expired ones not yet dropped included). */
    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /** How many callers wait for another caller's review: tests wait on it instead of sleeping. */
    int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code key} has a value kept (expired or not); for tests. */
    boolean contains(K key) {
        lock.lock();
        try {
            return entries.containsKey(key);
        } finally {
            lock.unlock();
        }
    }
}
