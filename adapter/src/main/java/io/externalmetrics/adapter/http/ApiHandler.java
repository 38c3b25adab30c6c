package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.cache.Explanation;
import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.ReadResult;
import io.externalmetrics.adapter.k8s.LabelRules;
import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.k8s.SelectorParseException;
import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.adapter.k8s.StatusReason;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The endpoints that read the adapter's state: metric values from the cache, health, and the
 * inventory. {@link ApiRouting} routes requests to them. Reads come from memory only.
 */
public final class ApiHandler {

    /** Where metric values are; the rest of the path is decoded here, not by the router (see {@link #values}). */
    static final String VALUES_PREFIX = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String PROVIDERS_NOT_REACHED = "not every provider has been reached yet";

    private final MetricCache cache;
    private final BooleanSupplier ready;
    private final Supplier<Optional<String>> authenticationNotReady;
    private final Supplier<Map<MetricKey, Long>> fetches;
    private final Clock clock;
    private final SelectorCache selectors = new SelectorCache();

    /**
     * @param cache     the metric cache to read
     * @param ready     whether providers have been reached (for {@code /readyz})
     * @param fetches   fetches started per metric, for the inventory
     * @param clock     the adapter's clock
     */
    public ApiHandler(MetricCache cache, BooleanSupplier ready, Supplier<Map<MetricKey, Long>> fetches, Clock clock) {
        this(cache, ready, fetches, clock, Optional::empty);
    }

    /**
     * @param authenticationNotReady why callers cannot be authenticated yet (the front proxy's settings
     *                               not read from the cluster), reported by {@code /readyz}; empty when they can
     */
    public ApiHandler(MetricCache cache, BooleanSupplier ready, Supplier<Map<MetricKey, Long>> fetches, Clock clock,
                      Supplier<Optional<String>> authenticationNotReady) {
        this.cache = cache;
        this.ready = ready;
        this.authenticationNotReady = authenticationNotReady;
        this.fetches = fetches;
        this.clock = clock;
    }

    /**
     * {@code GET /apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{metricName}}. Read from
     * the raw path: the router matches decoded paths, where {@code %2F} in a name would split it into
     * two segments; here each segment is decoded on its own and a malformed escape is a 400.
     */
    void values(ServerRequest req, ServerResponse res) {
        String[] parts = req.path().rawPath().substring(VALUES_PREFIX.length()).split("/", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            Responses.failure(req, res, StatusReason.NOT_FOUND, "the server could not find the requested resource; "
                    + "metric values are at " + VALUES_PREFIX + "{namespace}/{metricName}");
            return;
        }
        String namespace;
        String metric;
        try {
            namespace = Queries.decodePathSegment(parts[0]);
            metric = Queries.decodePathSegment(parts[1]);
        } catch (IllegalArgumentException e) {
            Responses.failure(req, res, StatusReason.BAD_REQUEST, e.getMessage());
            return;
        }
        if (!LabelRules.isDnsLabel(namespace)) {
            Responses.failure(req, res, StatusReason.BAD_REQUEST,
                    subject(metric, namespace, Optional.empty()) + ": the namespace is not a valid namespace name");
            return;
        }
        Optional<String> selectorText;
        try {
            selectorText = Queries.first(req.query().rawValue(), "labelSelector").filter(text -> !text.isBlank());
        } catch (IllegalArgumentException e) {
            Responses.failure(req, res, StatusReason.BAD_REQUEST,
                    subject(metric, namespace, Optional.empty()) + ": invalid query: " + e.getMessage());
            return;
        }
        Optional<LabelSelector> selector = Optional.empty();
        if (selectorText.isPresent()) {
            try {
                selector = Optional.of(selectors.parse(selectorText.get()));
            } catch (SelectorParseException e) {
                Responses.failure(req, res, StatusReason.BAD_REQUEST,
                        subject(metric, namespace, selectorText) + ": invalid label selector: " + e.getMessage());
                return;
            }
        }
        ValuesAnswer answer = answer(namespace, metric, selectorText, cache.read(namespace, metric, selector));
        res.status(Status.create(answer.code()));
        Responses.json(req, res, answer.body());
    }

    /**
     * What the values route answers once it has read the cache: the one place a {@link ReadResult} becomes
     * a status code and a body, for reads and for {@code /debug/explain} alike.
     *
     * @param selectorText the selector as the request wrote it, quoted in error messages
     */
    ValuesAnswer answer(String namespace, String metric, Optional<String> selectorText, ReadResult result) {
        return switch (result) {
            case ReadResult.Found found -> new ValuesAnswer(Status.OK_200.code(), found.body());
            case ReadResult.NotFound notFound -> new ValuesAnswer(StatusReason.NOT_FOUND.code(),
                    StatusJson.metricNotFound(metric, subject(metric, namespace, selectorText) + ": " + notFound.why()
                            + unreachedProviders()));
            case ReadResult.Unavailable unavailable -> new ValuesAnswer(StatusReason.SERVICE_UNAVAILABLE.code(),
                    StatusJson.failure(StatusReason.SERVICE_UNAVAILABLE,
                            subject(metric, namespace, selectorText) + ": " + unavailable.why()));
            case ReadResult.Refused refused -> new ValuesAnswer(refused.code(), StatusJson.failure(refused.code(),
                    refused.reason(), subject(metric, namespace, selectorText) + ": " + refused.why()));
        };
    }

    /**
     * A values route's answer.
     *
     * @param code the HTTP status code
     * @param body the JSON body: an {@code ExternalMetricValueList} or a {@code Status}
     */
    record ValuesAnswer(int code, byte[] body) {
    }

    /**
     * What an error message is about, as the HPA user wrote it: {@code metric "m" in namespace "ns" with
     * selector "s"}. Built only for errors: a successful read makes no message.
     */
    private static String subject(String metric, String namespace, Optional<String> selector) {
        return "metric \"" + StatusJson.abbreviate(metric) + "\" in namespace \"" + StatusJson.abbreviate(namespace)
                + "\"" + selector.map(s -> " with selector \"" + StatusJson.abbreviate(s) + "\"").orElse("");
    }

    /** {@code GET /debug/inventory}: every provider and metric, for people and scripts. */
    void inventory(ServerRequest req, ServerResponse res) {
        Responses.json(req, res, InventoryJson.write(cache.providers(), fetches.get(), cache.inventory(),
                clock.instant()));
    }

    /**
     * {@code GET /debug/explain?namespace=N&metric=M&labelSelector=S[&format=text]}: what a read of that
     * metric would get right now and why, made by the values route's own lookup and answer (see
     * {@link MetricCache#explain}). JSON, or text for {@code kubectl get --raw} with {@code format=text}.
     * A missing or invalid parameter is a 400 naming it.
     */
    void explain(ServerRequest req, ServerResponse res) {
        String raw = req.query().rawValue();
        Optional<String> namespace;
        Optional<String> metric;
        Optional<String> selectorText;
        Optional<String> format;
        try {
            namespace = Queries.first(raw, "namespace");
            metric = Queries.first(raw, "metric");
            selectorText = Queries.first(raw, "labelSelector").filter(text -> !text.isBlank());
            format = Queries.first(raw, "format");
        } catch (IllegalArgumentException e) {
            Responses.failure(req, res, StatusReason.BAD_REQUEST, "invalid query: " + e.getMessage());
            return;
        }
        boolean text = format.filter("text"::equals).isPresent();
        if (format.isPresent() && !text && !format.get().equals("json")) {
            Responses.failure(req, res, StatusReason.BAD_REQUEST, "query parameter \"format\" must be \"json\" or "
                    + "\"text\", not \"" + StatusJson.abbreviate(format.get()) + "\"");
            return;
        }
        Optional<String> accept = req.headers().first(HeaderNames.ACCEPT);
        if (!text && !Negotiation.acceptsJson(accept.orElse(null))) {
            Responses.failure(req, res, StatusReason.NOT_ACCEPTABLE, "this explanation is served as application/json, "
                    + "or as text/plain with format=text; the Accept header asked for \""
                    + StatusJson.abbreviate(accept.orElseThrow()) + "\"");
            return;
        }
        if (namespace.filter(n -> !n.isEmpty()).isEmpty()) {
            Responses.failure(req, res, StatusReason.BAD_REQUEST,
                    "query parameter \"namespace\" is required: the namespace the HPA reads the metric in");
            return;
        }
        if (!LabelRules.isDnsLabel(namespace.get())) {
            Responses.failure(req, res, StatusReason.BAD_REQUEST, "query parameter \"namespace\": \""
                    + StatusJson.abbreviate(namespace.get()) + "\" is not a valid namespace name");
            return;
        }
        if (metric.filter(m -> !m.isEmpty()).isEmpty()) {
            Responses.failure(req, res, StatusReason.BAD_REQUEST,
                    "query parameter \"metric\" is required: the metric name, as in the HPA's metric.name");
            return;
        }
        Optional<LabelSelector> selector = Optional.empty();
        if (selectorText.isPresent()) {
            try {
                selector = Optional.of(selectors.parse(selectorText.get()));
            } catch (SelectorParseException e) {
                Responses.failure(req, res, StatusReason.BAD_REQUEST,
                        "query parameter \"labelSelector\": invalid label selector: " + e.getMessage());
                return;
            }
        }
        Explanation explanation = cache.explain(namespace.get(), metric.get(), selector);
        var report = new ExplainReport(namespace.get(), metric.get(), selectorText, explanation,
                answer(namespace.get(), metric.get(), selectorText, explanation.result()));
        res.header(HeaderNames.CACHE_CONTROL, "no-cache, private");
        if (text) {
            res.header(HeaderValues.CONTENT_TYPE_TEXT_PLAIN);
            Responses.send(req, res, report.text().getBytes(StandardCharsets.UTF_8));
        } else {
            Responses.json(req, res, report.json());
        }
    }

    /**
     * {@code GET /debug/}: the status page, HTML whatever the Accept header says (a browser asks for
     * {@code text/html}); see {@link StatusPage}.
     */
    void statusPage(ServerRequest req, ServerResponse res) {
        byte[] page = StatusPage.render(cache.providers(), cache.inventory(), fetches.get(), clock.instant());
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache, private");
        res.header(HeaderNames.create("Content-Security-Policy"),
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        Responses.send(req, res, page);
    }

    /**
     * A hint for a 404: the metric may belong to a provider that has not listed its metrics yet. From
     * the cache's published provider states: a 404 waits on no provider.
     */
    private String unreachedProviders() {
        StringBuilder unreached = null; // on every 404: no stream, nothing made while every provider was reached
        for (ProviderState p : cache.providers()) {
            if (!p.reached()) {
                unreached = unreached == null ? new StringBuilder("; not yet reached: provider ")
                        : unreached.append(", provider ");
                unreached.append('"').append(p.name()).append("\" (").append(p.describe()).append(')');
            }
        }
        return unreached == null ? "" : unreached.toString();
    }

    /** One named check of a health endpoint, as Kubernetes' healthz package reports them. */
    private record Check(String name, Optional<String> failure) {
    }

    /**
     * {@code /healthz}, {@code /livez}, {@code /readyz} and, as in Kubernetes, each check on its own
     * ({@code /readyz/ping}, {@code /readyz/providers}), answered as text. Only readiness depends on
     * providers.
     *
     * @param endpoint the endpoint the request's path starts with, e.g. {@code /readyz}
     */
    void health(String endpoint, ServerRequest req, ServerResponse res) {
        var checks = new ArrayList<Check>();
        checks.add(new Check("ping", Optional.empty()));
        if (endpoint.equals("/readyz")) {
            Optional<String> failure = ready.getAsBoolean() ? Optional.empty() : Optional.of(PROVIDERS_NOT_REACHED);
            checks.add(new Check("providers", failure));
            checks.add(new Check("authentication", authenticationNotReady.get()));
        }
        res.header(HeaderValues.CONTENT_TYPE_TEXT_PLAIN);
        res.header(HeaderNames.CACHE_CONTROL, "no-cache, private");
        String sub = trimSlash(req.path().path().substring(endpoint.length()));
        if (!sub.isEmpty()) {
            Optional<Check> check = checks.stream().filter(c -> sub.equals("/" + c.name())).findFirst();
            if (check.isEmpty()) {
                res.status(Status.NOT_FOUND_404);
                Responses.send(req, res, ("no such check: " + endpoint + sub + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            check.get().failure().ifPresentOrElse(
                    why -> {
                        res.status(Status.INTERNAL_SERVER_ERROR_500);
                        Responses.send(req, res,
                                ("internal server error: " + why + "\n").getBytes(StandardCharsets.UTF_8));
                    },
                    () -> Responses.send(req, res, "ok".getBytes(StandardCharsets.UTF_8)));
            return;
        }
        boolean ok = checks.stream().allMatch(c -> c.failure().isEmpty());
        String name = endpoint.substring(1);
        if (ok && !req.query().contains("verbose")) {
            Responses.send(req, res, "ok".getBytes(StandardCharsets.UTF_8));
            return;
        }
        var body = new StringBuilder();
        for (Check check : checks) {
            body.append(check.failure().map(why -> "[-]" + check.name() + " failed: " + why)
                    .orElse("[+]" + check.name() + " ok")).append('\n');
        }
        body.append(name).append(ok ? " check passed\n" : " check failed\n");
        if (!ok) {
            res.status(Status.INTERNAL_SERVER_ERROR_500);
        }
        Responses.send(req, res, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String trimSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
