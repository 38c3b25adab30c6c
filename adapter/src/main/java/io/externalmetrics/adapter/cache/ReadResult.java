package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.StatusReason;

/** What a read of the cache answers. */
public sealed interface ReadResult {

    /**
     * An {@code ExternalMetricValueList}, encoded.
     *
     * @param body the JSON
     */
    record Found(byte[] body) implements ReadResult {
    }

    /**
     * No metric of that name in that namespace nor in {@code *}.
     *
     * @param why explanation for the Status message
     */
    record NotFound(String why) implements ReadResult {
    }

    /**
     * The metric exists but has no value to serve now.
     *
     * @param why which provider failed, how and since when
     */
    record Unavailable(String why) implements ReadResult {
    }

    /**
     * An upstream external-metrics server refused the read (400, 404, ...; its 401, 403, 408 and 429
     * are failures instead): its reason passed on.
     *
     * @param code the upstream's HTTP status code (4xx)
     * @param why  the upstream's message, prefixed with the provider's name
     */
    record Refused(int code, String why) implements ReadResult {
        /** The reason written with {@link #code}: the one of that code, else the nearest. */
        public StatusReason reason() {
            return StatusReason.forCode(code);
        }
    }
}
