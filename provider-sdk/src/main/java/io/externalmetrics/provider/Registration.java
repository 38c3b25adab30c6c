package io.externalmetrics.provider;

import java.time.Duration;
import java.util.Optional;

/** One {@link MetricProviderServer.Builder#addMetric} call. */
record Registration(MetricKey key, Trigger trigger, Optional<Duration> maxAge,
        MetricFunction function) {
}
