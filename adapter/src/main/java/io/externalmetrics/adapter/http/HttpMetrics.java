package io.externalmetrics.adapter.http;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The adapter's own metrics as the HTTP layer sees them: every answer is counted here, and
 * {@code GET /metrics} is answered from here. Passed in, so this package does not depend on a
 * metrics library; {@link #NONE} counts nothing and exposes nothing.
 */
public interface HttpMetrics {

    /** Counts nothing; {@code /metrics} answers an empty exposition. */
    HttpMetrics NONE = new HttpMetrics() {
        @Override
        public void served(RouteKind route, int code, long nanos) {
        }

        @Override
        public Exposition scrape(Optional<String> accept) {
            return new Exposition("text/plain; version=0.0.4; charset=utf-8", new byte[0]);
        }
    };

    /**
     * A request was answered; on the request's thread, so it must be quick and never block.
     *
     * @param route what the request was for
     * @param code  the status code answered
     * @param nanos how long it took, from the first filter to the end of the answer
     */
    void served(RouteKind route, int code, long nanos);

    /**
     * Every metric now, in the format {@code accept} asks for (OpenMetrics when it names it, else the
     * Prometheus text format).
     */
    Exposition scrape(Optional<String> accept);

    /**
     * A written exposition.
     *
     * @param contentType its media type, with version and charset
     * @param body        the text
     */
    record Exposition(String contentType, byte[] body) {

        @Override
        public String toString() {
            return contentType + "\n" + new String(body, StandardCharsets.UTF_8);
        }
    }
}
