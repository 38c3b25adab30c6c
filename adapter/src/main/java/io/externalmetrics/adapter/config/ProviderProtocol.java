package io.externalmetrics.adapter.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The protocol a provider speaks: the adapter's own contract, or another project's. */
public enum ProviderProtocol {
    /** {@code externalmetrics.v1.MetricProvider}, the adapter's own contract (the default). */
    METRIC_PROVIDER("metricProvider"),
    /** KEDA's {@code externalscaler.ExternalScaler}: any KEDA external scaler. */
    KEDA_EXTERNAL_SCALER("kedaExternalScaler"),
    /** Another server's {@code external.metrics.k8s.io/v1beta1} API, read over HTTPS: see {@link UpstreamConfig}. */
    EXTERNAL_METRICS_API("externalMetricsApi");

    private final String configName;

    ProviderProtocol(String configName) {
        this.configName = configName;
    }

    /** The name written in the configuration file. */
    public String configName() {
        return configName;
    }

    /** The protocol written as {@code name}, if it is one. */
    public static Optional<ProviderProtocol> of(String name) {
        return Arrays.stream(values()).filter(p -> p.configName.equals(name)).findFirst();
    }

    /** Every name the configuration accepts, for error messages. */
    public static List<String> names() {
        return Arrays.stream(values()).map(ProviderProtocol::configName).toList();
    }
}
