package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import io.externalmetrics.adapter.k8s.LabelSelector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Every registered metric and its latest state.
 *
 * <p>Reads take an immutable registry from a volatile field and the metric's state from an atomic
 * reference: no locks, never waiting on a provider. Registration changes (rare) are serialized by a lock
 * and publish a new registry.
 */
public final class MetricCache {

    private static final Duration WHOLE_SECONDS_FROM = Duration.ofSeconds(10);
    private static final String NO_SUCH_METRIC = "no such metric is served by any provider";

    private final Clock clock;
    private final ReadEvents events;
    private final ReentrantLock registrationLock = new ReentrantLock();
    private volatile Registry registry = new Registry(Map.of(), Map.of(), List.of());
    private volatile List<Forwarder> forwarders = List.of();

    public MetricCache(Clock clock) {
        this(clock, ReadEvents.NONE);
    }

    /** @param events told how reads of metrics without a fresh value were answered */
    public MetricCache(Clock clock, ReadEvents events) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.events = Objects.requireNonNull(events, "events");
    }

    /**
     * Makes {@code metrics} the complete set served by {@code provider}: new ones are added, changed
     * ones keep their values, and ones no longer listed are retired: served until their max age, then
     * gone (404), so an HPA is not cut off by a provider restart that briefly lists fewer metrics.
     *
     * @return one message per metric that could not be registered because another provider holds
     *     the same namespace and name (or one differing only by case); those metrics are skipped
     */
    public List<String> registerProvider(String provider, List<MetricInfo> metrics) {
        registrationLock.lock();
        try {
            Instant now = clock.instant();
            Map<MetricKey, Slot> previous = registry.exact();
            Map<MetricKey, Slot> next = new HashMap<>();
            previous.forEach((key, slot) -> {
                if (!slot.state().isGone(now)) {
                    next.put(key, slot);
                }
            });
            Map<MetricKey, MetricInfo> wanted = new HashMap<>();
            metrics.forEach(info -> {
                if (!info.provider().equals(provider)) {
                    throw new IllegalArgumentException(
                            info.key() + " belongs to " + info.provider() + ", not " + provider);
                }
                wanted.put(info.key(), info);
            });
            // retire this provider's metrics it no longer lists
            next.forEach((key, slot) -> {
                if (slot.state().info().provider().equals(provider) && !wanted.containsKey(key)) {
                    slot.update(state -> state.retired(now));
                }
            });
            Map<MetricKey, Slot> folded = new HashMap<>();
            next.forEach((key, slot) -> folded.put(key.folded(), slot));
            List<String> conflicts = new ArrayList<>();
            for (MetricInfo info : metrics) {
                Slot holder = folded.get(info.key().folded());
                if (holder != null) {
                    MetricState held = holder.state();
                    boolean mine = held.info().provider().equals(provider) && held.info().key().equals(info.key());
                    if (mine) {
                        holder.update(state -> state.withInfo(info));
                        continue;
                    }
                    if (held.retiredAt().isEmpty()) {
                        conflicts.add("metric \"" + info.key().name() + "\" in namespace \"" + info.key().namespace()
                                + "\" of provider \"" + provider + "\" clashes with \"" + held.info().key().name()
                                + "\" of provider \"" + held.info().provider() + "\"; it is not served");
                        continue;
                    }
                    // a retired metric gives way (renamed, or moved to another provider)
                    next.remove(held.info().key());
                }
                Slot slot = new Slot(MetricState.initial(info));
                next.put(info.key(), slot);
                folded.put(info.key().folded(), slot);
            }
            publish(next);
            return conflicts;
        } finally {
            registrationLock.unlock();
        }
    }

    /** Retires every metric of {@code provider} (see {@link #registerProvider}) and forgets its state. */
    public void removeProvider(String provider) {
        registrationLock.lock();
        try {
            registerProvider(provider, List.of());
            publishProviders(registry.providers().stream().filter(p -> !p.name().equals(provider)));
        } finally {
            registrationLock.unlock();
        }
    }

    /** Publishes a provider's state, replacing the one of the same name. */
    public void updateProvider(ProviderState state) {
        registrationLock.lock();
        try {
            Stream<ProviderState> others = registry.providers().stream().filter(p -> !p.name().equals(state.name()));
            publishProviders(Stream.concat(others, Stream.of(state)));
        } finally {
            registrationLock.unlock();
        }
    }

    /**
     * Makes {@code next} the forwarders consulted, in this order, for names no registered metric has
     * (see {@link Forwarder}).
     */
    public void forwarders(List<Forwarder> next) {
        forwarders = List.copyOf(next);
    }

    /** The forwarder of {@code name}, if a forwarder forwards it (the first that does). */
    private Optional<Forwarder> forwarder(String name) {
        for (Forwarder forwarder : forwarders) {
            if (forwarder.forwards(name)) {
                return Optional.of(forwarder);
            }
        }
        return Optional.empty();
    }

    /** What the forwarders follow now (see {@link Forwarder#followed}), in their order. */
    public List<Forwarder.Followed> forwarded() {
        Instant now = clock.instant();
        List<Forwarder.Followed> followed = new ArrayList<>();
        for (Forwarder forwarder : forwarders) {
            followed.addAll(forwarder.followed(now));
        }
        return followed;
    }

    /** Every provider's last published state, sorted by name; without locks. */
    public List<ProviderState> providers() {
        return registry.providers();
    }

    /** Publishes provider states, sorted here rather than on every read; called with the registration lock held. */
    private void publishProviders(Stream<ProviderState> providers) {
        registry = new Registry(registry.exact(), registry.folded(),
                providers.sorted(Comparator.comparing(ProviderState::name)).toList());
    }

    /** Forgets retired metrics past their max age; reads already treat them as gone. */
    public void sweep() {
        registrationLock.lock();
        try {
            Instant now = clock.instant();
            Map<MetricKey, Slot> next = new HashMap<>(registry.exact());
            if (next.values().removeIf(slot -> slot.state().isGone(now))) {
                publish(next);
            }
        } finally {
            registrationLock.unlock();
        }
    }

    /** Publishes a new registry for readers; called with the registration lock held. */
    private void publish(Map<MetricKey, Slot> exact) {
        Map<MetricKey, Slot> folded = new HashMap<>();
        exact.forEach((key, slot) -> folded.put(key.folded(), slot));
        registry = new Registry(Map.copyOf(exact), Map.copyOf(folded), registry.providers());
    }

    /** Records a successful fetch. Ignored when the metric is no longer registered. */
    public void recordSuccess(MetricKey key, Sample sample) {
        Instant now = clock.instant();
        slot(key).ifPresent(slot -> slot.update(state -> state.succeeded(sample, now)));
    }

    /** Records a failed fetch; the last good value stays. Ignored when the metric is no longer registered. */
    public void recordFailure(MetricKey key, String message) {
        Instant now = clock.instant();
        slot(key).ifPresent(slot -> slot.update(state -> state.failed(message, now)));
    }

    /** The state of a registered metric, by exact key. */
    public Optional<MetricState> state(MetricKey key) {
        return slot(key).map(Slot::state);
    }

    /** Every registered metric's state, sorted by namespace and name. */
    public List<MetricState> inventory() {
        return registry.exact().values().stream()
                .map(Slot::state)
                .sorted(Comparator.comparing((MetricState s) -> s.info().key().namespace())
                        .thenComparing(s -> s.info().key().name()))
                .toList();
    }

    /**
     * Answers a read: the metric registered in {@code namespace}, else in {@code *}, by exact name,
     * else by the only name that matches ignoring case.
     *
     * @param selector empty: the base value, else every series; otherwise the matching series
     */
    public ReadResult read(String namespace, String name, Optional<LabelSelector> selector) {
        Found found = registry.find(namespace, name);
        if (found == null) {
            Optional<Forwarder> forwarder = forwarder(name);
            return forwarder.isPresent() ? forwarder.get().read(namespace, name, selector, events)
                    : new ReadResult.NotFound(NO_SUCH_METRIC);
        }
        return answer(found.slot().state(), clock.instant(), selector, events); // the state once: a refresh may swap it
    }

    /**
     * What a {@link #read} with the same arguments would answer right now, and why: which registration
     * it finds and how, the state it reads, which series the selector takes or rejects, and what the
     * on-error policy decides. Made by the read's own lookup and answer from one snapshot of the state;
     * unlike a read, it is not counted in the {@link ReadEvents} (it is not the HPA reading).
     */
    public Explanation explain(String namespace, String name, Optional<LabelSelector> selector) {
        Registry current = registry;
        Found found = current.find(namespace, name);
        Instant now = clock.instant();
        if (found == null) {
            String folded = name.toLowerCase(Locale.ROOT);
            List<MetricKey> elsewhere = current.exact().keySet().stream()
                    .filter(key -> key.folded().name().equals(folded))
                    .sorted(Comparator.comparing(MetricKey::namespace).thenComparing(MetricKey::name))
                    .toList();
            Optional<Forwarder> forwarder = forwarder(name);
            Optional<ProviderState> forwarding = forwarder.flatMap(f -> current.providers().stream()
                    .filter(p -> p.name().equals(f.provider())).findFirst());
            return new Explanation(now, Optional.empty(), elsewhere, Optional.empty(), forwarding,
                    Explanation.Selection.NO_VALUE, List.of(), Explanation.Unlisted.NONE, Optional.empty(),
                    forwarder.isPresent() ? forwarder.get().peek(namespace, name, selector)
                            : new ReadResult.NotFound(NO_SUCH_METRIC));
        }
        MetricState state = found.slot().state();
        var heard = new AtomicReference<ReadEvents.PolicyAnswer>();
        ReadResult result = answer(state, now, selector, (metric, policyAnswer) -> heard.set(policyAnswer));
        Optional<ProviderState> provider = current.providers().stream()
                .filter(p -> p.name().equals(state.info().provider()))
                .findFirst();
        Optional<LabelSelector> effective = selector.filter(s -> !s.isEmpty());
        Explanation.Selection selection;
        List<Explanation.SeriesVerdict> series = new ArrayList<>();
        long unlisted = 0;
        long unlistedSelected = 0;
        if (state.sample().isEmpty()) {
            selection = Explanation.Selection.NO_VALUE;
        } else {
            Sample sample = state.sample().get();
            selection = effective.isPresent() ? Explanation.Selection.MATCHING_SERIES
                    : sample.base().isPresent() ? Explanation.Selection.BASE : Explanation.Selection.EVERY_SERIES;
            for (Sample.Labelled point : sample.labelled()) {
                Optional<String> rejectedBy = effective.flatMap(s -> s.rejectedBy(point.labels()));
                boolean selected = switch (selection) {
                    case MATCHING_SERIES -> rejectedBy.isEmpty();
                    case EVERY_SERIES -> true;
                    case BASE, NO_VALUE -> false;
                };
                if (series.size() < Explanation.MAX_LISTED_SERIES) {
                    series.add(new Explanation.SeriesVerdict(point.labels(), point.quantity(), selected, rejectedBy));
                } else {
                    unlisted++;
                    unlistedSelected += selected ? 1 : 0;
                }
            }
        }
        var match = new Explanation.Match(state.info().key(), found.how());
        return new Explanation(now, Optional.of(match), List.of(), Optional.of(state), provider, selection, series,
                new Explanation.Unlisted(unlisted, unlistedSelected), Optional.ofNullable(heard.get()), result);
    }

    /** A read's answer from one state of the metric it found, telling {@code events} how a policy answered. */
    private ReadResult answer(MetricState state, Instant now, Optional<LabelSelector> selector, ReadEvents events) {
        if (state.isGone(now)) {
            return new ReadResult.NotFound(NO_SUCH_METRIC);
        }
        if (state.isFresh(now)) {
            return new ReadResult.Found(body(state.sample().orElseThrow(), selector));
        }
        return OnErrorPolicy.answerStale(state.info(), now, bound -> state.isWithin(bound, now),
                () -> body(state.sample().orElseThrow(), selector), () -> whyNotFresh(state, now), events);
    }

    private static byte[] body(Sample sample, Optional<LabelSelector> selector) {
        Optional<LabelSelector> effective = selector.filter(s -> !s.isEmpty());
        return effective.isEmpty() ? sample.unselected() : sample.selected(effective.get());
    }

    private static String whyNotFresh(MetricState state, Instant now) {
        // which clock made it stale: a provider relaying a source that stopped updating is fetched fine
        return whyNotFresh(state.info().provider(), state.failure(), state.sample().isPresent(), state.age(now),
                state.agedByObservation(), state.info().maxAge());
    }

    /**
     * Why a read finds no fresh value, as its 503 says: the run of failures if there is one, else that
     * nothing (fresh) came; then the last value's age against the max age. One wording for the cache's
     * metrics and forwarded tuples.
     *
     * @param hasValue whether there is a last good value at all
     * @param age      its age, when there is one
     * @param observed whether the provider's observation time, not the fetch, made it that old
     */
    public static String whyNotFresh(String provider, Optional<Failure> failure, boolean hasValue,
                                     Optional<Duration> age, boolean observed, Duration maxAge) {
        String name = "provider \"" + provider + "\"";
        String aged = age.map(a -> "; last value " + (observed ? "observed" : "fetched") + " " + formatAge(a)
                + " ago (max age " + Durations.format(maxAge) + ")").orElse("");
        if (failure.isPresent()) {
            Failure f = failure.get();
            return name + " failing since " + ExternalMetricJson.timestamp(f.since()) + " (" + f.message() + ", "
                    + f.count() + (f.count() == 1 ? " attempt" : " attempts") + ")" + aged;
        }
        return hasValue ? name + " has not delivered a fresh value" + aged : name + " has not delivered a value yet";
    }

    /**
     * An age for a Status message, rounded up so that a value past its max age never reads as exactly
     * that max age: below 10 s to a tenth of a second ({@code 3.1s}), whole seconds above ({@code 46s}).
     */
    public static String formatAge(Duration age) {
        if (age.compareTo(WHOLE_SECONDS_FROM) >= 0) {
            // seconds, not nanoseconds: an observed_at of year 1 is an age no long of nanoseconds holds
            return Durations.format(Duration.ofSeconds(age.getSeconds() + (age.getNano() > 0 ? 1 : 0)));
        }
        long tenths = Math.max(0, (age.toNanos() + 99_999_999) / 100_000_000);
        return tenths / 10 + "." + tenths % 10 + "s";
    }

    private Optional<Slot> slot(MetricKey key) {
        return Optional.ofNullable(registry.exact().get(key));
    }


    /** Immutable lookup tables and provider states, replaced whole on registration changes. */
    private record Registry(Map<MetricKey, Slot> exact, Map<MetricKey, Slot> folded,
                            List<ProviderState> providers) {

        /** The lookup every read and explanation makes, in this order; null when nothing matches. */
        Found find(String namespace, String name) {
            Slot slot = exact.get(new MetricKey(namespace, name));
            if (slot != null) {
                return new Found(slot, Explanation.How.EXACT);
            }
            slot = exact.get(new MetricKey(MetricKey.ALL_NAMESPACES, name));
            if (slot != null) {
                return new Found(slot, Explanation.How.ALL_NAMESPACES);
            }
            MetricKey lower = new MetricKey(namespace, name).folded();
            slot = folded.get(lower);
            if (slot != null) {
                return new Found(slot, Explanation.How.IGNORING_CASE);
            }
            slot = folded.get(new MetricKey(MetricKey.ALL_NAMESPACES, lower.name()));
            return slot == null ? null : new Found(slot, Explanation.How.IGNORING_CASE_ALL_NAMESPACES);
        }
    }

    /** A registration a lookup found, and how (for explanations; reads use only the slot). */
    private record Found(Slot slot, Explanation.How how) {
    }

    /** One metric's current state. */
    private static final class Slot {
        private final AtomicReference<MetricState> state;

        Slot(MetricState initial) {
            this.state = new AtomicReference<>(initial);
        }

        MetricState state() {
            return state.get();
        }

        void update(UnaryOperator<MetricState> change) {
            state.updateAndGet(change);
        }
    }
}
