package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.adapter.k8s.StatusReason;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** How answers are written: JSON bodies, and every error as a Kubernetes {@code Status}. */
final class Responses {

    private Responses() {
    }

    static void json(ServerResponse res, byte[] body) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(body);
    }

    static void failure(ServerResponse res, StatusReason reason, String message) {
        res.status(Status.create(reason.code()));
        json(res, StatusJson.failure(reason, message));
    }
}
