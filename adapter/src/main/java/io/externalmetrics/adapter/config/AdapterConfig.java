package io.externalmetrics.adapter.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The whole adapter configuration.
 *
 * @param server    where and how the HTTPS server listens
 * @param providers the metric providers, each with a unique name
 */
public record AdapterConfig(ServerConfig server, List<ProviderConfig> providers) {

    public AdapterConfig {
        Objects.requireNonNull(server, "server");
        providers = List.copyOf(providers);
        var names = new HashSet<String>();
        for (ProviderConfig provider : providers) {
            if (!names.add(provider.name())) {
                throw new ConfigException("providers: the name \"" + provider.name() + "\" is used twice");
            }
        }
    }
}
