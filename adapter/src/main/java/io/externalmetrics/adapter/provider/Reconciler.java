package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.TriggerSpec;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Keeps one refresher and one tick per served metric: {@link #reconcile} takes the wanted set,
 * keeps the refreshers of unchanged metrics (and their values' fetch history), starts new ones and
 * stops removed or changed ones.
 *
 * <p>Called from one thread at a time (the provider's synchronization context). The set is
 * published as an immutable map in a volatile field, so Watch events and the inventory read it from
 * any thread without waiting.
 */
final class Reconciler {

    /** What a {@link #reconcile} changed that the caller acts on. */
    record Change(boolean gaveUp) {
    }

    /** A served metric: its refresher and the tick that triggers it. */
    private record Served(MetricRefresher refresher, ScheduledFuture<?> tick) {
    }

    private final ScheduledExecutorService scheduler;
    private final Function<MetricInfo, MetricRefresher> newRefresher;
    private volatile Map<MetricKey, Served> served = Map.of();

    /**
     * @param scheduler    runs the ticks
     * @param newRefresher makes the refresher of a metric
     */
    Reconciler(ScheduledExecutorService scheduler, Function<MetricInfo, MetricRefresher> newRefresher) {
        this.scheduler = scheduler;
        this.newRefresher = newRefresher;
    }

    /**
     * Makes {@code wanted} the served set.
     *
     * @return whether a metric stopped being served (another provider may take it over)
     */
    Change reconcile(Collection<MetricInfo> wanted) {
        Map<MetricKey, MetricInfo> byKey = new HashMap<>();
        wanted.forEach(info -> byKey.put(info.key(), info));
        Map<MetricKey, Served> before = served;
        Map<MetricKey, Served> next = new HashMap<>();
        // stop first: a changed metric's old refresher must not record after its successor started
        before.forEach((key, old) -> {
            if (old.refresher().info().equals(byKey.get(key))) {
                next.put(key, old);
            } else {
                stop(old);
            }
        });
        byKey.forEach((key, info) -> next.computeIfAbsent(key, k -> start(info)));
        served = Map.copyOf(next);
        return new Change(!next.keySet().containsAll(before.keySet()));
    }

    private Served start(MetricInfo info) {
        MetricRefresher refresher = newRefresher.apply(info);
        long period = tickNanos(info);
        // the first fetch at once: a new metric gets its value without waiting a period (a trigger after
        // a stop does nothing); then a tick at the metric's own phase in the period (see phase)
        scheduler.execute(refresher::trigger);
        return new Served(refresher, scheduler.scheduleAtFixedRate(refresher::trigger, phase(info.key(), period),
                period, TimeUnit.NANOSECONDS));
    }

    /**
     * When in its period a metric is ticked, after the first fetch: {@code (0, period)}, the same for the
     * same key. Metrics registered together (every metric of a provider, when it is first reached) would
     * otherwise all be fetched in the same instant of every period: with 10,000 metrics every 30 s, a burst
     * that took both cores for 3 s, and with them every read served meanwhile. Fibonacci hashing of the key's
     * hash spreads even names that differ in one character ({@code queue-1}, {@code queue-2}) across the period.
     */
    static long phase(MetricKey key, long periodNanos) {
        double fraction = ((key.hashCode() * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53; // [0, 1)
        return 1 + (long) (fraction * (periodNanos - 1));
    }

    /** Stops every refresher and tick. */
    void stopAll() {
        Map<MetricKey, Served> before = served;
        served = Map.of();
        before.values().forEach(Reconciler::stop);
    }

    /** The refresher of {@code key}, if served; from any thread. */
    Optional<MetricRefresher> refresher(MetricKey key) {
        return Optional.ofNullable(served.get(key)).map(Served::refresher);
    }

    /** Every served metric's refresher; from any thread. */
    List<MetricRefresher> refreshers() {
        return served.values().stream().map(Served::refresher).toList();
    }

    /** Fetches started per served metric; from any thread, without waiting. */
    Map<MetricKey, Long> fetchCounts() {
        return served.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue().refresher().fetches()));
    }

    /**
     * How often a metric is triggered: its interval; a push metric every third of its max age, so a
     * quiet one is not reported stale, but never under {@link TriggerSpec#MIN_PERIOD} (a max age may
     * be as short as Describe likes).
     */
    static Duration tickPeriod(MetricInfo info) {
        Duration period = switch (info.trigger()) {
            case TriggerSpec.Interval interval -> interval.period();
            case TriggerSpec.Push push -> info.maxAge().dividedBy(3);
        };
        return period.compareTo(TriggerSpec.MIN_PERIOD) < 0 ? TriggerSpec.MIN_PERIOD : period;
    }

    private static long tickNanos(MetricInfo info) {
        return Backoff.nanos(tickPeriod(info));
    }

    private static void stop(Served served) {
        served.tick().cancel(false);
        served.refresher().close();
    }
}
