package io.externalmetrics.adapter.http;

import io.helidon.http.Header;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The sizes every request is held to, over HTTP/1.1 and HTTP/2 alike: the request target (path and
 * query, as sent) and the header fields. Over HTTP/1.1 Helidon's parser stops larger requests itself
 * (see {@code Adapter}); over HTTP/2 it decodes what the connection's limits let through and the
 * routing gets it, so this filter answers them, before any route: 414 for a long target, 431 for
 * long headers, each a {@code Status}.
 */
public final class RequestLimits {

    /** A 10,000-character selector, every character percent-encoded, fits with room to spare. */
    public static final int MAX_TARGET_BYTES = 64 * 1024;
    /** Room for the aggregator's {@code X-Remote-*} headers of a user in many groups. */
    public static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int URI_TOO_LONG = 414;
    private static final int HEADERS_TOO_LARGE = 431;

    private RequestLimits() {
    }

    /** Checks every request routed by {@code routing} first. */
    public static void register(HttpRouting.Builder routing) {
        routing.addFilter(RequestLimits::check);
    }

    static void check(FilterChain chain, RoutingRequest req, RoutingResponse res) {
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
