package io.externalmetrics.adapter.apiserver;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/** Builds fabric8 clients; kept apart from {@link KubernetesAccess} so fabric8 loads only when one is built. */
final class ClientFactory {

    private ClientFactory() {
    }

    static KubernetesClient fromKubeconfig(Path kubeconfig, KubernetesAccess.Timeouts timeouts) {
        return build(limited(new ConfigBuilder(Config.fromKubeconfig(kubeconfig.toFile())), timeouts));
    }

    /**
     * fabric8's own in-cluster set-up ({@code Config.autoConfigure}) also reads {@code ~/.kube/config},
     * {@code KUBECONFIG} and {@code kubernetes.*} properties, and re-reads the token only by re-running all of
     * that once a minute; this one reads only the service account's files, and the token through a provider
     * fabric8 asks before every request.
     */
    static KubernetesClient inCluster(String url, Path serviceAccountDir, KubernetesAccess.Timeouts timeouts,
                                      LongSupplier ticker) {
        var token = new ServiceAccountToken(serviceAccountDir.resolve("token"), KubernetesAccess.TOKEN_REREAD,
                ticker);
        return build(limited(new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withCaCertFile(serviceAccountDir.resolve("ca.crt").toString())
                .withOauthTokenProvider(token), timeouts));
    }

    private static ConfigBuilder limited(ConfigBuilder config, KubernetesAccess.Timeouts timeouts) {
        return config
                .withConnectionTimeout((int) timeouts.connect().toMillis())
                .withRequestTimeout((int) timeouts.request().toMillis())
                // fabric8 retries failed requests ten times by default: a review fails at once instead
                .withRequestRetryBackoffLimit(0);
    }

    private static KubernetesClient build(ConfigBuilder config) {
        return new KubernetesClientBuilder()
                .withConfig(config.build())
                .withHttpClientFactory(new JdkHttpClientFactory())
                .build();
    }
}
