package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.adapter.k8s.StatusReason;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Answers the requests Helidon rejects before routing (malformed escapes, oversized headers, ...)
 * with a Kubernetes {@code Status} body too, so every error a client sees has the same shape.
 */
public final class StatusDirectHandler implements DirectHandler {

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        String text = message == null || message.isBlank() ? status.reasonPhrase() : message;
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .entity(StatusJson.failure(status.code(), StatusReason.forCode(status.code()),
                        "the request was rejected before routing (malformed URL escape, request line or headers?): "
                                + StatusJson.abbreviate(text)))
                .build();
    }
}
