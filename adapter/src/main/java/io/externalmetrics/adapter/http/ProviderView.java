package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.cache.MetricKey;
import java.util.Map;

/**
 * What the inventory shows of a provider.
 *
 * @param name     the provider's name
 * @param target   its gRPC target
 * @param reached  whether it answered at least once
 * @param describe how Describe went
 * @param fetches  fetches started per metric
 */
public record ProviderView(String name, String target, boolean reached, String describe, Map<MetricKey, Long> fetches) {

    public ProviderView {
        fetches = Map.copyOf(fetches);
    }
}
