package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.adapter.k8s.StatusReason;
import io.helidon.http.Header;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * What every request is checked for before any route, over HTTP/1.1 and HTTP/2 alike: the sizes of
 * the request target (path and query, as sent) and of the header fields, and a path that decodes.
 * Over HTTP/1.1 Helidon's parser stops larger or malformed requests itself (see {@code Adapter}); over
 * HTTP/2 it passes on what the connection's limits let through, unvalidated (its own validation
 * throws out of the connection for a path such as {@code ///}, ending every stream on it), so this
 * filter answers them: 414 for a long target, 431 for long headers, 400 for a path that does not
 * decode, each a {@code Status}.
 */
public final class RequestChecks {

    /** A 10,000-character selector, every character percent-encoded, fits with room to spare. */
    public static final int MAX_TARGET_BYTES = 64 * 1024;
    /** Room for the aggregator's {@code X-Remote-*} headers of a user in many groups. */
    public static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int URI_TOO_LONG = 414;
    private static final int HEADERS_TOO_LARGE = 431;

    private RequestChecks() {
    }

    /** Checks every request routed by {@code routing} first. */
    public static void register(HttpRouting.Builder routing) {
        routing.addFilter(RequestChecks::check);
    }

    static void check(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        try {
            req.path().path(); // decoded on first use: routing would throw on it, a 500
        } catch (IllegalArgumentException e) {
            Responses.failure(req, res, StatusReason.BAD_REQUEST, "the request's path \""
                    + StatusJson.abbreviate(req.path().rawPath()) + "\" cannot be decoded");
            return;
        }
        long target = req.path().rawPath().length() + req.query().rawValue().length();
        if (target > MAX_TARGET_BYTES) {
            Responses.failure(req, res, URI_TOO_LONG, "the request's path and query are " + target
                    + " characters long, more than the " + MAX_TARGET_BYTES + " allowed");
            return;
        }
        long headers = 0;
        for (Header header : req.headers()) {
            // as on an HTTP/1.1 wire: "name: value\r\n" per value
            for (String value : header.allValues()) {
                headers += header.name().length() + value.length() + 4;
            }
        }
        if (headers > MAX_HEADER_BYTES) {
            Responses.failure(req, res, HEADERS_TOO_LARGE, "the request's header fields are " + headers
                    + " bytes long, more than the " + MAX_HEADER_BYTES + " allowed");
            return;
        }
        chain.proceed();
    }
}
