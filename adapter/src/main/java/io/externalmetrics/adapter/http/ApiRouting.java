package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.auth.AccessControl;
import io.externalmetrics.adapter.k8s.Discovery;
import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.adapter.k8s.StatusReason;
import io.externalmetrics.adapter.logging.RateLimitedLog;
import io.helidon.common.uri.UriPath;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Every path the adapter serves, on Helidon's routing: metric values, discovery, OpenAPI, health,
 * the debug pages (inventory, explain, status page) and the adapter's own metrics; 405, 406 and 404
 * answers for everything else, each a Kubernetes {@code Status}.
 *
 * <p>Routes are tried in order: metric values first (the one path the HPA calls, matched on the raw
 * path, see {@link RawPathPrefix}); health, for any method; then 405 for any method but GET and HEAD;
 * then the JSON documents; then 404. They go straight onto the server's routing, not into a registered
 * {@code HttpService}: a service's routes are nested, and Helidon then copies the routed path and its
 * parameters for every request, value reads included.
 */
public final class ApiRouting {

    private static final System.Logger LOG = System.getLogger(ApiRouting.class.getName());
    private static final Predicate<Method> GET_OR_HEAD = Method.predicate(Method.GET, Method.HEAD);
    private static final byte[] ROOT_PATHS = ("{\"paths\":[\"/apis\",\"/apis/external.metrics.k8s.io\","
            + "\"/apis/external.metrics.k8s.io/v1beta1\",\"/debug/\",\"/debug/explain\",\"/debug/inventory\","
            + "\"/healthz\",\"/livez\",\"/metrics\",\"/openapi/v2\",\"/openapi/v3\",\"/readyz\"]}")
            .getBytes(StandardCharsets.UTF_8);

    private final ApiHandler api;
    private final AccessControl access;
    private final HttpMetrics metrics;
    private final OpenApiDocuments openApi = OpenApiDocuments.load();
    // a bug that fails every request would otherwise write a stack trace per request
    private final RateLimitedLog errors = RateLimitedLog.of(LOG);

    /** Routes without authentication or authorization: every request is served. */
    public ApiRouting(ApiHandler api) {
        this(api, AccessControl.open());
    }

    /**
     * @param api    the endpoints that read the adapter's state
     * @param access the checks every request passes first
     */
    public ApiRouting(ApiHandler api, AccessControl access) {
        this(api, access, HttpMetrics.NONE);
    }

    /** @param metrics what {@code GET /metrics} answers */
    public ApiRouting(ApiHandler api, AccessControl access, HttpMetrics metrics) {
        this.api = Objects.requireNonNull(api, "api");
        this.access = Objects.requireNonNull(access, "access");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Adds the access checks, every route, and the answer to a request that fails, to {@code routing}. */
    public void register(HttpRouting.Builder routing) {
        if (access.enabled()) {
            routing.addFilter(new AccessFilter(access));
        }
        byte[] groupList = Discovery.groupList();
        byte[] group = Discovery.group();
        byte[] resourceList = Discovery.resourceList();
        routing.route(GET_OR_HEAD, new RawPathPrefix(ApiHandler.VALUES_PREFIX), jsonOnly(api::values))
                // health answers any method and any Accept header, as Kubernetes' healthz handlers do
                .any("/healthz/*", (req, res) -> api.health("/healthz", req, res))
                .any("/livez/*", (req, res) -> api.health("/livez", req, res))
                .any("/readyz/*", (req, res) -> api.health("/readyz", req, res))
                .route(GET_OR_HEAD.negate(), PathMatchers.any(), ApiRouting::methodNotAllowed)
                .route(GET_OR_HEAD, PathMatchers.exact("/"), jsonOnly(json(ROOT_PATHS)))
                .route(GET_OR_HEAD, orSlash("/apis"), jsonOnly(json(groupList)))
                .route(GET_OR_HEAD, orSlash("/apis/external.metrics.k8s.io"), jsonOnly(json(group)))
                .route(GET_OR_HEAD, orSlash("/apis/external.metrics.k8s.io/v1beta1"), jsonOnly(json(resourceList)))
                .route(GET_OR_HEAD, orSlash("/openapi/v2"), jsonOnly(document(openApi.v2(), openApi.v2Etag())))
                .route(GET_OR_HEAD, orSlash("/openapi/v3"), jsonOnly(json(openApi.v3Index())))
                .route(GET_OR_HEAD, orSlash(OpenApiDocuments.V3_GROUP_VERSION_PATH),
                        jsonOnly(document(openApi.v3(), openApi.v3Etag())))
                .route(GET_OR_HEAD, orSlash("/debug/inventory"), jsonOnly(api::inventory))
                // JSON or, with format=text, text: the handler negotiates
                .route(GET_OR_HEAD, orSlash("/debug/explain"), api::explain)
                // HTML for a browser, whatever its Accept header lists
                .route(GET_OR_HEAD, orSlash("/debug"), api::statusPage)
                // the Prometheus text format whatever the Accept header says, as Prometheus' own servers do
                .route(GET_OR_HEAD, orSlash("/metrics"), this::metrics)
                .any(jsonOnly((req, res) -> Responses.failure(req, res, StatusReason.NOT_FOUND,
                        "the server could not find the requested resource")))
                .error(Throwable.class, (req, res, error) -> {
                    errors.log(Level.ERROR, "request failed: " + error, "request "
                            + StatusJson.abbreviate(req.path().rawPath()) + " failed", error);
                    // the body names no exception: its message may hold file paths or internals
                    Responses.failure(req, res, StatusReason.INTERNAL_ERROR,
                            "internal error; the adapter's log has the details");
                });
    }

    /** {@code GET /metrics}: the adapter's own metrics, for Prometheus; through access control as any path. */
    private void metrics(ServerRequest req, ServerResponse res) {
        // every Accept field, joined: Prometheus lists OpenMetrics and the text format with weights
        Optional<String> accept = req.headers().contains(HeaderNames.ACCEPT)
                ? Optional.of(req.headers().get(HeaderNames.ACCEPT).values())
                : Optional.empty();
        HttpMetrics.Exposition exposition = metrics.scrape(accept);
        res.header(HeaderNames.CONTENT_TYPE, exposition.contentType());
        res.header(HeaderNames.CACHE_CONTROL, "no-cache, private");
        Responses.send(req, res, exposition.body());
    }

    /** {@code path}, with or without a trailing slash. */
    private static PathMatcher orSlash(String path) {
        return PathMatchers.pattern(path + "[/]");
    }

    /** Every answer but health is JSON: a client that accepts only something else gets 406 instead. */
    private static Handler jsonOnly(Handler handler) {
        return (req, res) -> {
            Optional<String> accept = req.headers().first(HeaderNames.ACCEPT);
            if (Negotiation.acceptsJson(accept.orElse(null))) {
                handler.handle(req, res);
            } else {
                Responses.failure(req, res, StatusReason.NOT_ACCEPTABLE, "only application/json is served; "
                        + "the Accept header asked for \"" + StatusJson.abbreviate(accept.get()) + "\"");
            }
        };
    }

    private static void methodNotAllowed(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.ALLOW, "GET, HEAD");
        Responses.failure(req, res, StatusReason.METHOD_NOT_ALLOWED,
                "the server does not allow this method on the requested resource");
    }

    private static Handler json(byte[] body) {
        return (req, res) -> Responses.json(req, res, body);
    }

    /** A document clients cache: answered 304 when they already hold this version. */
    private static Handler document(byte[] body, String etag) {
        return (req, res) -> {
            res.header(HeaderNames.ETAG, etag);
            if (req.headers().first(HeaderNames.IF_NONE_MATCH).filter(etag::equals).isPresent()) {
                res.status(Status.NOT_MODIFIED_304);
                res.send();
                return;
            }
            Responses.json(req, res, body);
        };
    }

    /**
     * Matches paths whose raw, undecoded form starts with {@code prefix}. Helidon's own matchers
     * compare the decoded and normalized path, which would make {@code %2F} a segment separator and
     * resolve {@code ..} before the values route could reject them.
     */
    private record RawPathPrefix(String prefix) implements PathMatcher {

        private static final PathMatcher ANY = PathMatchers.any();

        @Override
        public PathMatchers.MatchResult match(UriPath path) {
            return path.rawPath().startsWith(prefix) ? ANY.match(path) : PathMatchers.MatchResult.notAccepted();
        }

        @Override
        public PathMatchers.PrefixMatchResult prefixMatch(UriPath path) {
            // a route's matcher only: nothing is nested under the values route
            return PathMatchers.PrefixMatchResult.notAccepted();
        }
    }
}
