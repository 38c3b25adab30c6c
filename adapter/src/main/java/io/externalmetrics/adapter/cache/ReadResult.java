package io.externalmetrics.adapter.cache;

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
}
