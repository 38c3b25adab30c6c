package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.ReadResult;
import io.externalmetrics.adapter.k8s.Discovery;
import io.externalmetrics.adapter.k8s.LabelRules;
import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.k8s.SelectorParseException;
import io.externalmetrics.adapter.k8s.StatusJson;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Every path the adapter serves, dispatched on the raw path so that decoding and every error answer
 * are under our control. Reads come from memory only.
 */
public final class ApiHandler implements Handler {

    private static final String VALUES_PREFIX = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final byte[] ROOT_PATHS = ("{\"paths\":[\"/apis\",\"/apis/external.metrics.k8s.io\","
            + "\"/apis/external.metrics.k8s.io/v1beta1\",\"/debug/inventory\",\"/healthz\",\"/livez\","
            + "\"/openapi/v2\",\"/openapi/v3\",\"/readyz\"]}").getBytes(StandardCharsets.UTF_8);
    private static final List<String> HEALTH_ENDPOINTS = List.of("/healthz", "/livez", "/readyz");
    private static final String PROVIDERS_NOT_REACHED = "not every provider has been reached yet";

    private final MetricCache cache;
    private final BooleanSupplier ready;
    private final Supplier<Map<MetricKey, Long>> fetches;
    private final Clock clock;
    private final byte[] groupList = Discovery.groupList();
    private final byte[] group = Discovery.group();
    private final byte[] resourceList = Discovery.resourceList();
    private final OpenApiDocuments openApi = OpenApiDocuments.load();

    /**
     * @param cache     the metric cache to read
     * @param ready     whether providers have been reached (for {@code /readyz})
     * @param fetches   fetches started per metric, for the inventory
     * @param clock     the adapter's clock
     */
    public ApiHandler(MetricCache cache, BooleanSupplier ready, Supplier<Map<MetricKey, Long>> fetches, Clock clock) {
        this.cache = cache;
        this.ready = ready;
        this.fetches = fetches;
        this.clock = clock;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String path = req.path().rawPath();
        Method method = req.prologue().method();
        Optional<String> healthEndpoint = healthEndpoint(path);
        if (healthEndpoint.isPresent()) {
            health(healthEndpoint.get(), path, req, res);
            return;
        }
        if (method != Method.GET && method != Method.HEAD) {
            res.header(HeaderNames.ALLOW, "GET, HEAD");
            error(res, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
            return;
        }
        if (!Negotiation.acceptsJson(req.headers().first(HeaderNames.ACCEPT).orElse(null))) {
            error(res, 406, "NotAcceptable", "only application/json is served; the Accept header asked for \""
                    + Queries.abbreviate(req.headers().first(HeaderNames.ACCEPT).orElse("")) + "\"");
            return;
        }
        if (path.startsWith(VALUES_PREFIX)) {
            value(path.substring(VALUES_PREFIX.length()), req, res);
            return;
        }
        switch (trimSlash(path)) {
            case "" -> json(res, ROOT_PATHS);
            case "/apis" -> json(res, groupList);
            case "/apis/external.metrics.k8s.io" -> json(res, group);
            case "/apis/external.metrics.k8s.io/v1beta1" -> json(res, resourceList);
            case "/openapi/v2" -> document(req, res, openApi.v2(), openApi.v2Etag());
            case "/openapi/v3" -> json(res, openApi.v3Index());
            case OpenApiDocuments.V3_GROUP_VERSION_PATH -> document(req, res, openApi.v3(), openApi.v3Etag());
            case "/debug/inventory" -> json(res, InventoryJson.write(cache.providers(), fetches.get(),
                    cache.inventory(), clock.instant()));
            default -> notFound(res, "the server could not find the requested resource");
        }
    }

    private void value(String rest, ServerRequest req, ServerResponse res) {
        String[] parts = rest.split("/", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            notFound(res, "the server could not find the requested resource; metric values are at "
                    + VALUES_PREFIX + "{namespace}/{metricName}");
            return;
        }
        String namespace;
        String metric;
        try {
            namespace = Queries.decodePathSegment(parts[0]);
            metric = Queries.decodePathSegment(parts[1]);
        } catch (IllegalArgumentException e) {
            error(res, 400, "BadRequest", e.getMessage());
            return;
        }
        String subject = "metric \"" + Queries.abbreviate(metric) + "\" in namespace \"" + Queries.abbreviate(namespace)
                + "\"";
        if (!LabelRules.isDnsLabel(namespace)) {
            error(res, 400, "BadRequest", subject + ": the namespace is not a valid namespace name");
            return;
        }
        Optional<String> selectorText;
        try {
            selectorText = Queries.first(req.query().rawValue(), "labelSelector");
        } catch (IllegalArgumentException e) {
            error(res, 400, "BadRequest", subject + ": invalid query: " + e.getMessage());
            return;
        }
        Optional<LabelSelector> selector = Optional.empty();
        if (selectorText.isPresent() && !selectorText.get().isBlank()) {
            subject += " with selector \"" + Queries.abbreviate(selectorText.get()) + "\"";
            try {
                selector = Optional.of(LabelSelector.parse(selectorText.get()));
            } catch (SelectorParseException e) {
                error(res, 400, "BadRequest", subject + ": invalid label selector: " + e.getMessage());
                return;
            }
        }
        switch (cache.read(namespace, metric, selector)) {
            case ReadResult.Found found -> json(res, found.body());
            case ReadResult.NotFound notFound -> {
                res.status(Status.NOT_FOUND_404);
                json(res, StatusJson.metricNotFound(metric, subject + ": " + notFound.why() + unreachedProviders()));
            }
            case ReadResult.Unavailable unavailable -> error(res, 503, "ServiceUnavailable",
                    subject + ": " + unavailable.why());
        }
    }

    /**
     * A hint for a 404: the metric may belong to a provider that has not listed its metrics yet. From
     * the cache's published provider states: a 404 waits on no provider.
     */
    private String unreachedProviders() {
        List<String> unreached = cache.providers().stream()
                .filter(p -> !p.reached())
                .map(p -> "\"" + p.name() + "\" (" + p.describe() + ")")
                .toList();
        return unreached.isEmpty() ? "" : "; not yet reached: provider " + String.join(", provider ", unreached);
    }

    /** The health endpoint a path belongs to: {@code /readyz} for {@code /readyz} and {@code /readyz/ping}. */
    private static Optional<String> healthEndpoint(String path) {
        for (String endpoint : HEALTH_ENDPOINTS) { // on every request: no allocation
            if (path.startsWith(endpoint) && (path.length() == endpoint.length() || path.charAt(endpoint.length()) == '/')) {
                return Optional.of(endpoint);
            }
        }
        return Optional.empty();
    }

    /** One named check of a health endpoint, as Kubernetes' healthz package reports them. */
    private record Check(String name, Optional<String> failure) {
    }

    /**
     * {@code /healthz}, {@code /livez}, {@code /readyz} and, as in Kubernetes, each check on its own
     * ({@code /readyz/ping}, {@code /readyz/providers}). Only readiness depends on providers.
     */
    private void health(String endpoint, String path, ServerRequest req, ServerResponse res) {
        var checks = new ArrayList<Check>();
        checks.add(new Check("ping", Optional.empty()));
        if (endpoint.equals("/readyz")) {
            checks.add(new Check("providers", ready.getAsBoolean() ? Optional.empty() : Optional.of(PROVIDERS_NOT_REACHED)));
        }
        res.header(HeaderValues.CONTENT_TYPE_TEXT_PLAIN);
        res.header(HeaderNames.CACHE_CONTROL, "no-cache, private");
        String sub = trimSlash(path.substring(endpoint.length()));
        if (!sub.isEmpty()) {
            Optional<Check> check = checks.stream().filter(c -> sub.equals("/" + c.name())).findFirst();
            if (check.isEmpty()) {
                res.status(Status.NOT_FOUND_404);
                res.send(("no such check: " + endpoint + sub + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            check.get().failure().ifPresentOrElse(
                    why -> {
                        res.status(Status.INTERNAL_SERVER_ERROR_500);
                        res.send(("internal server error: " + why + "\n").getBytes(StandardCharsets.UTF_8));
                    },
                    () -> res.send("ok".getBytes(StandardCharsets.UTF_8)));
            return;
        }
        boolean ok = checks.stream().allMatch(c -> c.failure().isEmpty());
        String name = endpoint.substring(1);
        if (ok && !req.query().contains("verbose")) {
            res.send("ok".getBytes(StandardCharsets.UTF_8));
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
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void document(ServerRequest req, ServerResponse res, byte[] body, String etag) {
        res.header(HeaderNames.ETAG, etag);
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).filter(etag::equals).isPresent()) {
            res.status(Status.NOT_MODIFIED_304);
            res.send();
            return;
        }
        json(res, body);
    }

    private static String trimSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static void json(ServerResponse res, byte[] body) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(body);
    }

    private static void notFound(ServerResponse res, String message) {
        error(res, 404, "NotFound", message);
    }

    private static void error(ServerResponse res, int code, String reason, String message) {
        res.status(Status.create(code));
        json(res, StatusJson.failure(code, reason, message));
    }
}
