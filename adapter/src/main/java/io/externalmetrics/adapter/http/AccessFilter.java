package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.auth.AccessControl;
import io.externalmetrics.adapter.auth.Attributes;
import io.externalmetrics.adapter.auth.AuthRequest;
import io.externalmetrics.adapter.auth.Outcome;
import io.externalmetrics.adapter.k8s.StatusReason;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs {@link AccessControl} before any route: a request it does not allow is answered here, with
 * a Kubernetes Status (401 Unauthorized, 403 Forbidden, 503 ServiceUnavailable), and never reaches
 * a handler. This is also where a request's {@link Attributes} are worked out, as
 * k8s.io/apiserver's {@code RequestInfo} does: a value read is a resource request, anything else a
 * non-resource request on its path, with the lower-cased method as verb.
 */
final class AccessFilter implements Filter {

    static final String GROUP = "external.metrics.k8s.io";
    static final String VERSION = "v1beta1";

    private final AccessControl access;

    AccessFilter(AccessControl access) {
        this.access = access;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        switch (access.check(new HelidonRequest(req))) {
            case Outcome.Allowed allowed -> chain.proceed();
            case Outcome.Unauthenticated unauthenticated ->
                    Responses.failure(req, res, StatusReason.UNAUTHORIZED, "Unauthorized");
            case Outcome.Forbidden forbidden ->
                    Responses.failure(req, res, StatusReason.FORBIDDEN, forbidden.message());
            case Outcome.Unavailable unavailable ->
                    Responses.failure(req, res, StatusReason.SERVICE_UNAVAILABLE, unavailable.message());
        }
    }

    /**
     * What a request asks to do. The values path is read from the raw path, as {@link ApiHandler#values}
     * reads it: {@code list} on the metric in its namespace; a path there that names no metric, and
     * every other path, is a non-resource request on the routed (decoded, normalized) path.
     */
    static Attributes attributes(Method method, String rawPath, String path) {
        if (rawPath.startsWith(ApiHandler.VALUES_PREFIX)) {
            String[] parts = rawPath.substring(ApiHandler.VALUES_PREFIX.length()).split("/", -1);
            if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                try {
                    return new Attributes.Resource(collectionVerb(method), GROUP, VERSION,
                            Queries.decodePathSegment(parts[1]), Queries.decodePathSegment(parts[0]));
                } catch (IllegalArgumentException e) {
                    // a malformed escape: authorized as the path it is, then answered 400 by the handler
                }
            }
        }
        return new Attributes.NonResource(path, method.text().toLowerCase(Locale.ROOT));
    }

    /** requestinfo.go's verb for a request on a collection (no object name). */
    private static String collectionVerb(Method method) {
        return switch (method.text()) {
            case "GET", "HEAD" -> "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "deletecollection";
            default -> method.text().toLowerCase(Locale.ROOT);
        };
    }

    /** A Helidon request as access control reads it. */
    private record HelidonRequest(ServerRequest req) implements AuthRequest {

        @Override
        public List<String> paths() {
            return List.of(req.path().path(), req.path().rawPath());
        }

        @Override
        public Attributes attributes() {
            return AccessFilter.attributes(req.prologue().method(), req.path().rawPath(), req.path().path());
        }

        @Override
        public List<String> headers(String name) {
            HeaderName header = HeaderNames.create(name);
            return req.headers().contains(header) ? req.headers().get(header).allValues() : List.of();
        }

        @Override
        public Set<String> headerNames() {
            Set<String> names = new LinkedHashSet<>();
            req.headers().forEach(header -> names.add(header.name()));
            return names;
        }

        @Override
        public List<X509Certificate> peerCertificates() {
            Certificate[] chain = req.remotePeer().tlsCertificates().orElse(new Certificate[0]);
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : Arrays.asList(chain)) {
                if (!(certificate instanceof X509Certificate x509)) {
                    return List.of();
                }
                certificates.add(x509);
            }
            return certificates;
        }
    }
}
