package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.adapter.k8s.StatusReason;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * How answers are written: JSON bodies, every error as a Kubernetes {@code Status}, and every body,
 * JSON or text, through {@link #send}, which answers HEAD without one.
 */
final class Responses {

    private Responses() {
    }

    static void json(ServerRequest req, ServerResponse res, byte[] body) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        send(req, res, body);
    }

    static void failure(ServerRequest req, ServerResponse res, StatusReason reason, String message) {
        res.status(Status.create(reason.code()));
        json(req, res, StatusJson.failure(reason, message));
    }

    /** A failure with an HTTP code the reason table has no entry of its own for (414, 431). */
    static void failure(ServerRequest req, ServerResponse res, int code, String message) {
        res.status(Status.create(code));
        json(req, res, StatusJson.failure(code, StatusReason.forCode(code), message));
    }

    /**
     * Sends {@code body}; to a HEAD request, only the headers a GET would get, its Content-Length
     * included (RFC 9110, section 9.3.2). Helidon 4.5 writes whatever it is given, even for HEAD, and
     * a body there breaks HTTP/1.1 framing: the client reads it as the start of the next response.
     */
    static void send(ServerRequest req, ServerResponse res, byte[] body) {
        if (req.prologue().method() == Method.HEAD) {
            // Helidon keeps a Content-Length that is already set, over HTTP/1.1 and HTTP/2 alike
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(body.length));
            res.send();
        } else {
            res.send(body);
        }
    }
}
