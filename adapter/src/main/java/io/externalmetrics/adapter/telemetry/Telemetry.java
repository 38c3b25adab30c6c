package io.externalmetrics.adapter.telemetry;

import io.externalmetrics.adapter.cache.Forwarder;
import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricState;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.ReadEvents;
import io.externalmetrics.adapter.http.HttpMetrics;
import io.externalmetrics.adapter.http.RouteKind;
import io.externalmetrics.adapter.provider.ProviderEvents;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One adapter's own metrics, in a Prometheus registry of its own (never the library's global one: two
 * adapters in one JVM count apart). Hears the cache's reads ({@link ReadEvents}), the provider runtime
 * ({@link ProviderEvents}) and the HTTP layer ({@link HttpMetrics}); values and ages are read from the
 * cache at scrape time.
 *
 * <p>Labels name providers and metrics (namespace and name), never a metric's series or a forwarded
 * read's selector, so their number stays bounded by the configuration and each forwarder's maxTuples.
 * At each scrape the label sets of metrics that are no longer served (retired, or their provider
 * removed) or followed, and of providers that are gone, are dropped first, so they do not linger.
 *
 * <p>The HTTP path costs one counter increment and one histogram observation per request: both data
 * points are looked up once per route kind and status code, then kept. No metric samples exemplars:
 * with no tracer there are none to keep, and looking for a span cost every observation.
 */
public final class Telemetry implements ProviderEvents, ReadEvents, HttpMetrics {

    private static final String[] METRIC = {"provider", "namespace", "metric"};
    private static final List<String> STATES =
            List.of("idle", "connecting", "ready", "transient_failure", "shutdown");
    private static final int LOWEST_CODE = 100;
    private static final int CODES = 500; // 100 to 599
    /** The {@code result} label of each {@link FetchResult}, by ordinal. */
    private static final String[] RESULTS = Arrays.stream(FetchResult.values())
            .map(result -> result.name().toLowerCase(Locale.ROOT))
            .toArray(String[]::new);

    private final Clock clock;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormatWriter text = PrometheusTextFormatWriter.create();
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();
    private final AtomicReference<MetricCache> cache = new AtomicReference<>();
    // per provider: fetch calls under way (absent: none so far) and the channel's last state
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, String> connectivity = new ConcurrentHashMap<>();

    private final Counter fetches;
    private final Histogram fetchDuration;
    private final Counter policyAnswers;
    private final Counter watchReconnects;
    private final Counter describeFailures;
    private final Counter requests;
    private final Histogram requestDuration;
    private final List<AtomicReferenceArray<CounterDataPoint>> requestsByCode;
    private final List<DistributionDataPoint> durationByRoute;

    /** @param clock the adapter's clock, for the ages of values */
    public Telemetry(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        fetches = Counter.builder()
                .name("externalmetrics_metric_fetches_total")
                .help("Fetches of a metric from its provider, by result: ok, error (the call failed) or "
                        + "invalid (the reply broke the contract)")
                .labelNames("provider", "namespace", "metric", "result")
                .withoutExemplars()
                .register(registry);
        fetchDuration = Histogram.builder()
                .name("externalmetrics_metric_fetch_duration_seconds")
                .help("How long a Fetch call of a metric took, whatever its result")
                .labelNames(METRIC)
                .classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .withoutExemplars()
                .register(registry);
        policyAnswers = Counter.builder()
                .name("externalmetrics_metric_policy_answers_total")
                .help("Reads of a metric without a fresh value, by what its on-error policy answered: error "
                        + "(503), lastKnownGood (the last value) or static (the fixed value)")
                .labelNames("provider", "namespace", "metric", "policy")
                .withoutExemplars()
                .register(registry);
        GaugeWithCallback.builder()
                .name("externalmetrics_metric_base_value")
                .help("A metric's last base value (absent while it has none, and for a forwarded metric, whose "
                        + "values are per selector)")
                .labelNames(METRIC)
                .callback(callback -> served().forEach(state -> state.sample()
                        .flatMap(sample -> sample.baseValue().isPresent()
                                ? Optional.of(sample.baseValue().getAsDouble()) : Optional.empty())
                        .ifPresent(value -> callback.call(value, labels(state.info())))))
                .register(registry);
        GaugeWithCallback.builder()
                .name("externalmetrics_metric_age_seconds")
                .help("How old a metric's last good value is, as reads judge it against the max age (absent "
                        + "while it has none); for a forwarded metric, the oldest of its selectors' values")
                .labelNames(METRIC)
                .callback(callback -> {
                    Instant now = clock.instant();
                    served().forEach(state -> state.age(now).ifPresent(
                            age -> callback.call(age.toNanos() / 1e9, labels(state.info()))));
                    forwarded().forEach(followed -> followed.oldestAge().ifPresent(
                            age -> callback.call(age.toNanos() / 1e9, labels(followed.info()))));
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("externalmetrics_metric_max_age_seconds")
                .help("How old a metric's value may be and still be served as fresh")
                .labelNames(METRIC)
                .callback(callback -> {
                    served().forEach(state -> callback.call(state.info().maxAge().toNanos() / 1e9,
                            labels(state.info())));
                    forwarded().forEach(followed -> callback.call(followed.info().maxAge().toNanos() / 1e9,
                            labels(followed.info())));
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("externalmetrics_provider_connectivity_state")
                .help("1 for the state the provider's gRPC channel is in, 0 for the others")
                .labelNames("provider", "state")
                .callback(callback -> providers().forEach(provider -> {
                    String now = connectivity.get(provider);
                    if (now != null) {
                        STATES.forEach(state -> callback.call(state.equals(now) ? 1 : 0, provider, state));
                    }
                }))
                .register(registry);
        GaugeWithCallback.builder()
                .name("externalmetrics_provider_fetches_in_flight")
                .help("Fetch calls to the provider under way")
                .labelNames("provider")
                .callback(callback -> providers().forEach(provider -> {
                    AtomicInteger calls = inFlight.get(provider);
                    callback.call(calls == null ? 0 : calls.get(), provider);
                }))
                .register(registry);
        watchReconnects = Counter.builder()
                .name("externalmetrics_provider_watch_reconnects_total")
                .help("Watch streams opened again after one ended (KEDA: one StreamIsActive per scaledObjectRef)")
                .labelNames("provider")
                .withoutExemplars()
                .register(registry);
        describeFailures = Counter.builder()
                .name("externalmetrics_provider_describe_failures_total")
                .help("Describe calls that failed or whose reply could not be applied (each is retried)")
                .labelNames("provider")
                .withoutExemplars()
                .register(registry);
        requests = Counter.builder()
                .name("externalmetrics_http_requests_total")
                .help("HTTP requests answered, by route kind and status code")
                .labelNames("route", "code")
                .withoutExemplars()
                .register(registry);
        requestDuration = Histogram.builder()
                .name("externalmetrics_http_request_duration_seconds")
                .help("How long answering an HTTP request took, access control included, by route kind")
                .labelNames("route")
                .classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .withoutExemplars()
                .register(registry);
        requestsByCode = Arrays.stream(RouteKind.values())
                .map(route -> new AtomicReferenceArray<CounterDataPoint>(CODES))
                .toList();
        durationByRoute = Arrays.stream(RouteKind.values())
                .map(route -> requestDuration.labelValues(route.label()))
                .toList();
        JvmMemoryMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }

    /**
     * Reads values, ages and the served metrics and providers from {@code metrics} from now on; once,
     * right after the cache is made (the cache reports its reads here, so it is made after this).
     */
    public void observe(MetricCache metrics) {
        if (!cache.compareAndSet(null, Objects.requireNonNull(metrics, "metrics"))) {
            throw new IllegalStateException("already observing a cache");
        }
    }

    @Override
    public void fetchStarted(String provider) {
        inFlight(provider).incrementAndGet();
    }

    @Override
    public void fetchEnded(String provider) {
        inFlight(provider).decrementAndGet();
    }

    private AtomicInteger inFlight(String provider) {
        return inFlight.computeIfAbsent(provider, p -> new AtomicInteger());
    }

    @Override
    public void fetched(MetricInfo metric, FetchResult result, long nanos) {
        String[] labels = labels(metric);
        fetches.labelValues(labels[0], labels[1], labels[2], RESULTS[result.ordinal()]).inc();
        fetchDuration.labelValues(labels).observe(nanos / 1e9);
    }

    /** Finds the provider's in-flight count now and the metric's data points at their first use, then keeps them. */
    @Override
    public MetricFetches fetches(MetricInfo metric) {
        return new MetricPoints(labels(metric), inFlight(metric.provider()));
    }

    /**
     * One metric's fetch data points, kept so that a fetch costs no label lookup. Each is made at its
     * first use, as {@link #fetched} makes it: a result never seen has no series. One whose metric stops
     * being served is dropped at the next scrape; its refresher stops with it, and a successor asks anew.
     * After any scrape that dropped label sets they are looked up again: a scrape racing a new metric's
     * first fetch may have dropped them, and a kept point would then count where no scrape sees it.
     */
    private final class MetricPoints implements MetricFetches {

        private final String[] labels;
        private final AtomicInteger inFlight;
        // the registry hands out the same data point for the same labels: a race stores it twice
        private final AtomicReferenceArray<CounterDataPoint> byResult =
                new AtomicReferenceArray<>(FetchResult.values().length);
        private volatile DistributionDataPoint duration;
        private volatile long keptAt = -1;

        MetricPoints(String[] labels, AtomicInteger inFlight) {
            this.labels = labels;
            this.inFlight = inFlight;
        }

        @Override
        public void started() {
            inFlight.incrementAndGet();
        }

        @Override
        public void ended() {
            inFlight.decrementAndGet();
        }

        @Override
        public void fetched(FetchResult result, long nanos) {
            long now = drops.get();
            if (now != keptAt) { // a scrape may have dropped what is kept: look it up again
                for (int i = 0; i < byResult.length(); i++) {
                    byResult.set(i, null);
                }
                duration = null;
                keptAt = now;
            }
            CounterDataPoint counter = byResult.get(result.ordinal());
            if (counter == null) {
                counter = fetches.labelValues(labels[0], labels[1], labels[2], RESULTS[result.ordinal()]);
                byResult.set(result.ordinal(), counter);
            }
            counter.inc();
            DistributionDataPoint took = duration;
            if (took == null) {
                took = fetchDuration.labelValues(labels);
                duration = took;
            }
            took.observe(nanos / 1e9);
        }
    }

    @Override
    public void connectivity(String provider, String state) {
        connectivity.put(provider, state.toLowerCase(Locale.ROOT));
    }

    @Override
    public void watchReconnected(String provider) {
        watchReconnects.labelValues(provider).inc();
    }

    @Override
    public void describeFailed(String provider) {
        describeFailures.labelValues(provider).inc();
    }

    @Override
    public void answeredByPolicy(MetricInfo metric, PolicyAnswer answer) {
        String[] labels = labels(metric);
        policyAnswers.labelValues(labels[0], labels[1], labels[2], answer.label()).inc();
    }

    @Override
    public void served(RouteKind route, int code, long nanos) {
        requestCounter(route, code).inc();
        durationByRoute.get(route.ordinal()).observe(nanos / 1e9);
    }

    private CounterDataPoint requestCounter(RouteKind route, int code) {
        int index = code - LOWEST_CODE;
        if (index < 0 || index >= CODES) {
            return requests.labelValues(route.label(), Integer.toString(code));
        }
        AtomicReferenceArray<CounterDataPoint> byCode = requestsByCode.get(route.ordinal());
        CounterDataPoint counter = byCode.get(index);
        if (counter == null) {
            // the registry hands out the same data point for the same labels: a race stores it twice
            counter = requests.labelValues(route.label(), Integer.toString(code));
            byCode.set(index, counter);
        }
        return counter;
    }

    @Override
    public Exposition scrape(Optional<String> accept) {
        dropGone();
        ExpositionFormatWriter writer = accept.filter(openMetrics::accepts).isPresent() ? openMetrics : text;
        var out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from a ByteArrayOutputStream
        }
        return new Exposition(writer.getContentType(), out.toByteArray());
    }

    /**
     * Counts the scrapes that dropped label sets: a {@link MetricPoints} kept from before one looks its data
     * points up again, in case a metric it holds was dropped while it was being registered.
     */
    private final AtomicLong drops = new AtomicLong();

    /**
     * Drops the label sets of metrics no longer served (nor followed by a forwarder) and of providers no
     * longer configured.
     */
    private void dropGone() {
        Set<List<String>> metrics = new HashSet<>();
        served().forEach(state -> metrics.add(List.of(labels(state.info()))));
        forwarded().forEach(followed -> metrics.add(List.of(labels(followed.info()))));
        Set<String> providers = new HashSet<>(providers());
        fetches.removeIf(labels -> !metrics.contains(labels.subList(0, 3)));
        fetchDuration.removeIf(labels -> !metrics.contains(labels));
        policyAnswers.removeIf(labels -> !metrics.contains(labels.subList(0, 3)));
        watchReconnects.removeIf(labels -> !providers.contains(labels.get(0)));
        describeFailures.removeIf(labels -> !providers.contains(labels.get(0)));
        connectivity.keySet().retainAll(providers);
        drops.incrementAndGet(); // after the removals: a data point kept during them is looked up again
    }

    /** The metrics served now: registered and not retired. */
    private List<MetricState> served() {
        MetricCache metrics = cache.get();
        return metrics == null ? List.of() : metrics.inventory().stream()
                .filter(state -> state.retiredAt().isEmpty())
                .toList();
    }

    /** The metric names forwarders follow now, one per namespace. */
    private List<Forwarder.Followed> forwarded() {
        MetricCache metrics = cache.get();
        return metrics == null ? List.of() : metrics.forwarded();
    }

    /** The names of the providers configured now. */
    private List<String> providers() {
        MetricCache metrics = cache.get();
        return metrics == null ? List.of() : metrics.providers().stream().map(ProviderState::name).toList();
    }

    /** A metric's labels: provider, namespace ({@code *} for every namespace) and name. */
    static String[] labels(MetricInfo metric) {
        return new String[] {metric.provider(), metric.key().namespace(), metric.key().name()};
    }
}
