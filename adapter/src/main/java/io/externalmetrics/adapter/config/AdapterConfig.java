package io.externalmetrics.adapter.config;

import io.externalmetrics.adapter.cache.MetricKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The whole adapter configuration.
 *
 * @param server    where and how the HTTPS server listens
 * @param providers the metric providers, each with a unique name
 * @param security  who may read metrics
 * @param logFormat how log records are written; read at start only
 */
public record AdapterConfig(ServerConfig server, List<ProviderConfig> providers, SecurityConfig security,
                            LogFormat logFormat) {

    /** A configuration without authentication or authorization, as before they existed. */
    public AdapterConfig(ServerConfig server, List<ProviderConfig> providers) {
        this(server, providers, SecurityConfig.NONE);
    }

    /** A configuration that logs text, the default. */
    public AdapterConfig(ServerConfig server, List<ProviderConfig> providers, SecurityConfig security) {
        this(server, providers, security, LogFormat.TEXT);
    }

    public AdapterConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(logFormat, "logFormat");
        providers = List.copyOf(providers);
        var names = new HashSet<String>();
        var metrics = new HashMap<MetricKey, String>();
        for (ProviderConfig provider : providers) {
            if (!names.add(provider.name())) {
                throw new ConfigException("providers: the name \"" + provider.name() + "\" is used twice");
            }
            for (MetricConfig metric : provider.metrics()) {
                // one APIService per cluster: two providers must not claim one metric (names match ignoring case)
                String other = metrics.putIfAbsent(metric.key().folded(), provider.name());
                if (other != null && !other.equals(provider.name())) {
                    throw new ConfigException("providers \"" + other + "\" and \"" + provider.name()
                            + "\" both configure metric \"" + metric.name() + "\" in namespace \""
                            + metric.namespace() + "\"");
                }
            }
        }
        // a literal forwarded name must not name a native metric (a glob may: the native metric wins)
        var forwarded = new HashMap<String, String>();
        for (ProviderConfig provider : providers) {
            for (String glob : provider.upstream().map(UpstreamConfig::forward).orElse(List.of())) {
                if (!UpstreamConfig.isLiteral(glob)) {
                    continue;
                }
                String other = forwarded.putIfAbsent(glob, provider.name());
                if (other != null && !other.equals(provider.name())) {
                    throw new ConfigException("providers \"" + other + "\" and \"" + provider.name()
                            + "\" both forward metric \"" + glob + "\"");
                }
                metrics.keySet().stream().filter(key -> key.name().equals(glob.toLowerCase(Locale.ROOT)))
                        .findFirst().ifPresent(key -> {
                            throw new ConfigException("provider \"" + provider.name() + "\" forwards metric \""
                                    + glob + "\", which provider \"" + metrics.get(key) + "\" serves (namespace \""
                                    + key.namespace() + "\"); a metric name is answered by one provider");
                        });
            }
        }
    }
}
