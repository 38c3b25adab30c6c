package io.externalmetrics.adapter.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.function.LongSupplier;

/**
 * Counts every answer by route kind and status code, and times it. Registered before every other
 * filter, so answers of the request checks and of access control are counted too.
 */
public final class RequestMetrics implements Filter {

    private final HttpMetrics metrics;
    private final LongSupplier ticker;

    private RequestMetrics(HttpMetrics metrics, LongSupplier ticker) {
        this.metrics = metrics;
        this.ticker = ticker;
    }

    /**
     * Adds the filter to {@code routing}; call it before adding any other filter.
     *
     * @param ticker monotonic nanoseconds
     */
    public static void register(HttpRouting.Builder routing, HttpMetrics metrics, LongSupplier ticker) {
        routing.addFilter(new RequestMetrics(metrics, ticker));
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = ticker.getAsLong();
        boolean failed = true;
        try {
            chain.proceed();
            failed = false;
        } finally {
            // an exception out of the chain is answered 500 by the routing's error handler
            int code = failed ? 500 : res.status().code();
            metrics.served(RouteKind.of(req.path().rawPath()), code, ticker.getAsLong() - start);
        }
    }
}
