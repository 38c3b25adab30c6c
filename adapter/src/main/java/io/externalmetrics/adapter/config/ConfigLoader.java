package io.externalmetrics.adapter.config;

import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.Quantity;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the YAML configuration file into an {@link AdapterConfig}, rejecting unknown keys (a typo
 * must not silently fall back to a default) and naming the field of every error.
 */
public final class ConfigLoader {

    private static final System.Logger LOG = System.getLogger(ConfigLoader.class.getName());
    private static final Pattern PROVIDER_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");
    private static final int MAX_FILE_BYTES = 1 << 20;
    // Upper bounds: far beyond any real use, and small enough that arithmetic on them cannot overflow
    private static final Duration MAX_DEADLINE = Duration.ofHours(1);
    private static final Duration MAX_TTL = Duration.ofDays(1);
    // an HTTP field name (RFC 9110 token)
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private ConfigLoader() {
    }

    /** Reads and validates a configuration file. */
    public static AdapterConfig load(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(file + ": larger than 1 MiB; is this the right file?");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e + ")", e);
        }
        try {
            return parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates configuration text. */
    public static AdapterConfig parse(String yamlText) {
        Object root;
        try {
            var options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            root = new Yaml(new SafeConstructor(options)).load(yamlText);
        } catch (YAMLException e) {
            throw new ConfigException("not valid YAML: " + e.getMessage(), e);
        }
        Node top = new Node("", root == null ? Map.of() : root);
        Map<String, Object> map = top.map(Set.of("server", "providers", "authentication", "authorization",
                "kubernetes", "logFormat"));
        ServerConfig server = map.containsKey("server")
                ? server(top.child("server", map.get("server")))
                : ServerConfig.defaults();
        List<ProviderConfig> providers = new ArrayList<>();
        Node providersNode = top.child("providers", map.get("providers"));
        List<Object> list = providersNode.list();
        if (list.isEmpty()) {
            throw new ConfigException("providers: at least one provider is required");
        }
        for (int i = 0; i < list.size(); i++) {
            providers.add(provider(providersNode.item(i, list.get(i))));
        }
        return new AdapterConfig(server, providers, security(top, map), logFormat(top, map));
    }

    private static LogFormat logFormat(Node top, Map<String, Object> map) {
        return top.optionalString(map, "logFormat").map(name -> LogFormat.of(name).orElseThrow(
                () -> new ConfigException("logFormat: \"" + name + "\" is not a log format (known: text, json)")))
                .orElse(LogFormat.TEXT);
    }

    private static SecurityConfig security(Node top, Map<String, Object> map) {
        Optional<AuthenticationConfig> authentication = map.containsKey("authentication")
                ? Optional.of(authentication(top.child("authentication", orEmpty(map.get("authentication")))))
                : Optional.empty();
        AuthorizationConfig authorization = AuthorizationConfig.defaults();
        if (map.containsKey("authorization")) {
            if (authentication.isEmpty()) {
                throw new ConfigException("authorization: needs authentication (without it no caller has an "
                        + "identity to authorize, and every caller reads everything)");
            }
            authorization = authorization(top.child("authorization", orEmpty(map.get("authorization"))));
        }
        KubernetesConfig kubernetes = KubernetesConfig.IN_CLUSTER;
        if (map.containsKey("kubernetes")) {
            Node node = top.child("kubernetes", orEmpty(map.get("kubernetes")));
            Map<String, Object> kubernetesMap = node.map(Set.of("kubeconfig"));
            kubernetes = new KubernetesConfig(node.optionalString(kubernetesMap, "kubeconfig").map(Path::of));
        }
        return new SecurityConfig(authentication, authorization, kubernetes);
    }

    private static AuthenticationConfig authentication(Node node) {
        Map<String, Object> map = node.map(Set.of("requestHeader", "clientCAFile", "tokenReview", "cacheTTL"));
        Optional<RequestHeaderConfig> requestHeader = map.containsKey("requestHeader")
                ? Optional.of(requestHeader(node.child("requestHeader", orEmpty(map.get("requestHeader")))))
                : Optional.empty();
        Optional<Path> clientCAFile = caFile(node, map, "clientCAFile");
        boolean tokenReview = node.optionalBoolean(map, "tokenReview").orElse(false);
        Duration cacheTTL = node.optionalDuration(map, "cacheTTL", MAX_TTL)
                .orElse(AuthenticationConfig.DEFAULT_CACHE_TTL);
        if (requestHeader.isEmpty() && clientCAFile.isEmpty() && !tokenReview) {
            throw new ConfigException(node.path("") + ": configure at least one of requestHeader, clientCAFile and "
                    + "tokenReview: true; otherwise no caller can authenticate");
        }
        return new AuthenticationConfig(requestHeader, clientCAFile, tokenReview, cacheTTL);
    }

    private static RequestHeaderConfig requestHeader(Node node) {
        Map<String, Object> map = node.map(Set.of("clientCAFile", "fromCluster", "allowedNames", "usernameHeaders",
                "uidHeaders", "groupHeaders", "extraHeaderPrefixes"));
        Optional<Path> clientCAFile = caFile(node, map, "clientCAFile");
        boolean fromCluster = node.optionalBoolean(map, "fromCluster").orElse(false);
        if (clientCAFile.isPresent() == fromCluster) {
            throw new ConfigException(node.path("") + ": " + RequestHeaderConfig.sourceProblem());
        }
        if (fromCluster) {
            // as in k8s.io/apiserver, the ConfigMap gives all of these: a written one would be silently ignored
            Map<String, String> published = new LinkedHashMap<>();
            published.put("allowedNames", "requestheader-allowed-names");
            published.put("usernameHeaders", "requestheader-username-headers");
            published.put("uidHeaders", "requestheader-uid-headers");
            published.put("groupHeaders", "requestheader-group-headers");
            published.put("extraHeaderPrefixes", "requestheader-extra-headers-prefix");
            published.forEach((key, configMapKey) -> {
                if (map.containsKey(key)) {
                    throw new ConfigException(node.path(key) + ": not used with fromCluster: true, where the "
                            + "ConfigMap kube-system/extension-apiserver-authentication gives it (" + configMapKey
                            + "); remove it, or give the CA with clientCAFile instead of fromCluster");
                }
            });
        }
        List<String> allowedNames = strings(node, map, "allowedNames", List.of());
        List<String> usernameHeaders = headers(node, map, "usernameHeaders",
                RequestHeaderConfig.DEFAULT_USERNAME_HEADERS);
        if (usernameHeaders.isEmpty()) {
            throw new ConfigException(node.path("usernameHeaders") + ": must name at least one header");
        }
        return new RequestHeaderConfig(clientCAFile, fromCluster, allowedNames, usernameHeaders,
                headers(node, map, "uidHeaders", RequestHeaderConfig.DEFAULT_UID_HEADERS),
                headers(node, map, "groupHeaders", RequestHeaderConfig.DEFAULT_GROUP_HEADERS),
                headers(node, map, "extraHeaderPrefixes", RequestHeaderConfig.DEFAULT_EXTRA_HEADER_PREFIXES));
    }

    private static AuthorizationConfig authorization(Node node) {
        Map<String, Object> map = node.map(Set.of("mode", "allowedTTL", "deniedTTL", "alwaysAllowPaths",
                "alwaysAllowGroups"));
        AuthorizationConfig.Mode mode = AuthorizationConfig.Mode.SUBJECT_ACCESS_REVIEW;
        Optional<String> modeText = node.optionalString(map, "mode");
        if (modeText.isPresent()) {
            mode = AuthorizationConfig.Mode.parse(modeText.get()).orElseThrow(() -> new ConfigException(
                    node.path("mode") + ": \"" + modeText.get() + "\" is not one of SubjectAccessReview, AlwaysAllow"));
        }
        Duration allowedTTL = node.optionalDuration(map, "allowedTTL", MAX_TTL).orElse(AuthorizationConfig.DEFAULT_TTL);
        Duration deniedTTL = node.optionalDuration(map, "deniedTTL", MAX_TTL).orElse(AuthorizationConfig.DEFAULT_TTL);
        List<String> paths = strings(node, map, "alwaysAllowPaths", AuthorizationConfig.DEFAULT_ALWAYS_ALLOW_PATHS);
        for (int i = 0; i < paths.size(); i++) {
            node.check("alwaysAllowPaths[" + i + "]", AuthorizationConfig.pathProblem(paths.get(i)));
        }
        List<String> groups = strings(node, map, "alwaysAllowGroups", AuthorizationConfig.DEFAULT_ALWAYS_ALLOW_GROUPS);
        return new AuthorizationConfig(mode, allowedTTL, deniedTTL, paths, groups);
    }

    /** A CA bundle file, read now so that a missing or broken one is reported at load. */
    private static Optional<Path> caFile(Node node, Map<String, Object> map, String key) {
        Optional<Path> file = node.optionalString(map, key).map(Path::of);
        node.check(key, file.flatMap(ProviderTls::certificatesProblem));
        return file;
    }

    /** A list of strings; {@code fallback} when absent, empty when written as {@code []}. */
    private static List<String> strings(Node node, Map<String, Object> map, String key, List<String> fallback) {
        if (!map.containsKey(key)) {
            return fallback;
        }
        Node listNode = node.child(key, map.get(key));
        List<Object> list = listNode.list();
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            strings.add(listNode.item(i, list.get(i)).scalar());
        }
        return strings;
    }

    private static List<String> headers(Node node, Map<String, Object> map, String key, List<String> fallback) {
        List<String> headers = strings(node, map, key, fallback);
        for (int i = 0; i < headers.size(); i++) {
            if (!HEADER_NAME.matcher(headers.get(i)).matches()) {
                throw new ConfigException(node.path(key) + "[" + i + "]: \"" + headers.get(i)
                        + "\" is not an HTTP header name");
            }
        }
        return headers;
    }

    /** A section written without settings ({@code authentication:}) reads as an empty mapping. */
    private static Object orEmpty(Object value) {
        return value == null ? Map.of() : value;
    }

    private static ServerConfig server(Node node) {
        Map<String, Object> map = node.map(Set.of("address", "port", "tls", "dnsNames", "shutdownGrace"));
        ServerConfig defaults = ServerConfig.defaults();
        String address = node.optionalString(map, "address").orElse(defaults.address());
        int port = node.optionalInt(map, "port").orElse(defaults.port()); // range checked by ServerConfig
        Optional<TlsFiles> tls = Optional.empty();
        if (map.get("tls") != null) {
            Node tlsNode = node.child("tls", map.get("tls"));
            Map<String, Object> tlsMap = tlsNode.map(Set.of("certFile", "keyFile"));
            tls = Optional.of(new TlsFiles(Path.of(tlsNode.string(tlsMap, "certFile")),
                    Path.of(tlsNode.string(tlsMap, "keyFile"))));
        }
        List<String> dnsNames = new ArrayList<>();
        if (map.get("dnsNames") != null) {
            Node namesNode = node.child("dnsNames", map.get("dnsNames"));
            List<Object> names = namesNode.list();
            for (int i = 0; i < names.size(); i++) {
                dnsNames.add(namesNode.item(i, names.get(i)).scalar());
            }
        }
        Duration shutdownGrace = node.optionalDuration(map, "shutdownGrace", ServerConfig.MAX_SHUTDOWN_GRACE)
                .orElse(ServerConfig.DEFAULT_SHUTDOWN_GRACE);
        return new ServerConfig(address, port, tls, dnsNames, shutdownGrace);
    }

    private static ProviderConfig provider(Node node) {
        Map<String, Object> map = node.map(Set.of("name", "target", "deadline", "metrics", "retry", "maxSeries",
                "maxLabelsPerSeries", "maxReplyBytes", "keepAlive", "maxClockSkew", "tls", "protocol", "forward",
                "interval", "idleAfter", "maxTuples", "maxAge", "onError", "lastKnownGoodFor", "staticValue",
                "tokenFile", "insecureSkipTLSVerify"));
        String name = node.string(map, "name");
        if (!PROVIDER_NAME.matcher(name).matches()) {
            throw new ConfigException(node.path("name") + ": \"" + name
                    + "\" must be 1-63 characters of letters, digits, '.', '_' or '-', starting and ending with a "
                    + "letter or digit");
        }
        ProviderProtocol protocol = node.optionalString(map, "protocol")
                .map(text -> ProviderProtocol.of(text).orElseThrow(() -> new ConfigException(node.path("protocol")
                        + ": \"" + text + "\" is not a known protocol (known: "
                        + String.join(", ", ProviderProtocol.names()) + ")")))
                .orElse(ProviderProtocol.METRIC_PROVIDER);
        String target = node.string(map, "target");
        boolean forwarding = protocol == ProviderProtocol.EXTERNAL_METRICS_API;
        node.check("target", forwarding ? UpstreamConfig.targetProblem(target) : Targets.problem(target));
        Optional<UpstreamConfig> upstream = Optional.empty();
        if (forwarding) {
            for (String key : List.of("retry", "keepAlive", "maxClockSkew", "maxLabelsPerSeries")) {
                if (map.containsKey(key)) {
                    throw new ConfigException(node.path(key) + ": not used with protocol: externalMetricsApi (a "
                            + "failed tuple is fetched again on its interval; maxSeries, maxReplyBytes and deadline "
                            + "apply)");
                }
            }
            upstream = Optional.of(upstream(node, map));
        } else {
            for (String key : UPSTREAM_KEYS) {
                if (map.containsKey(key)) {
                    throw new ConfigException(node.path(key) + ": only meaningful with protocol: externalMetricsApi");
                }
            }
        }
        Duration deadline = node.optionalDuration(map, "deadline", MAX_DEADLINE)
                .orElse(ProviderConfig.DEFAULT_DEADLINE);
        List<MetricConfig> metrics = new ArrayList<>();
        if (map.get("metrics") != null) {
            Node metricsNode = node.child("metrics", map.get("metrics"));
            List<Object> list = metricsNode.list();
            for (int i = 0; i < list.size(); i++) {
                Node metricNode = metricsNode.item(i, list.get(i));
                MetricConfig metric = metric(metricNode);
                metricNode.check("scaledObjectRef", ProviderConfig.scalerProblem(protocol, metric));
                metrics.add(metric);
            }
            ProviderConfig.duplicate(metrics).ifPresent(duplicate -> {
                throw new ConfigException(metricsNode.item(duplicate.index(), null).path("name") + ": "
                        + duplicate.problem());
            });
        }
        if (protocol == ProviderProtocol.KEDA_EXTERNAL_SCALER && metrics.isEmpty()) {
            throw new ConfigException(node.path("metrics") + ": " + ProviderConfig.KEDA_NEEDS_METRICS);
        }
        if (forwarding && !metrics.isEmpty()) {
            throw new ConfigException(node.path("metrics") + ": " + ProviderConfig.UPSTREAM_HAS_NO_METRICS);
        }
        RetryConfig retry = RetryConfig.DEFAULTS;
        if (map.get("retry") != null) {
            Node retryNode = node.child("retry", map.get("retry"));
            Map<String, Object> retryMap = retryNode.map(Set.of("initial", "max"));
            Duration initial = retryNode.optionalDuration(retryMap, "initial", RetryConfig.LIMIT)
                    .orElse(RetryConfig.DEFAULTS.initial());
            Duration max = retryNode.optionalDuration(retryMap, "max", RetryConfig.LIMIT).orElse(
                    initial.compareTo(RetryConfig.DEFAULTS.max()) > 0 ? initial : RetryConfig.DEFAULTS.max());
            retryNode.check("", RetryConfig.problem(initial, max));
            retry = new RetryConfig(initial, max);
        }
        int maxSeries = positive(node, map, "maxSeries", ProviderConfig.DEFAULT_MAX_SERIES);
        int maxLabels = positive(node, map, "maxLabelsPerSeries", ProviderConfig.DEFAULT_MAX_LABELS_PER_SERIES);
        int maxReplyBytes = positive(node, map, "maxReplyBytes", ProviderConfig.DEFAULT_MAX_REPLY_BYTES);
        Duration keepAlive = node.optionalDuration(map, "keepAlive").orElse(ProviderConfig.DEFAULT_KEEP_ALIVE);
        node.check("keepAlive", ProviderConfig.keepAliveProblem(keepAlive));
        Duration maxClockSkew = node.optionalDuration(map, "maxClockSkew")
                .orElse(ProviderConfig.DEFAULT_MAX_CLOCK_SKEW);
        node.check("maxClockSkew", ProviderConfig.maxClockSkewProblem(maxClockSkew));
        // `tls:` written without settings still means TLS (with the JVM's trusted CAs), never plaintext
        Optional<ProviderTls> tls = map.containsKey("tls")
                ? Optional.of(providerTls(node.child("tls", map.get("tls") == null ? Map.of() : map.get("tls"))))
                : Optional.empty();
        if (forwarding) {
            if (tls.flatMap(ProviderTls::serverName).isPresent()) {
                throw new ConfigException(node.child("tls", null).path("serverName") + ": not supported with "
                        + "protocol: externalMetricsApi; the target's host is the name checked in its certificate");
            }
            if (tls.flatMap(ProviderTls::caFile).isPresent() && upstream.get().insecureSkipTlsVerify()) {
                throw new ConfigException(node.path("insecureSkipTLSVerify") + ": give either tls.caFile or "
                        + "insecureSkipTLSVerify: true, not both");
            }
        } else if (tls.isPresent()) {
            node.child("tls", null).check("serverName", ProviderTls.unixSocketProblem(target, tls.get()));
        } else if (!Targets.isLocal(target)) {
            LOG.log(Level.WARNING, "provider \"{0}\" is reached in plaintext at {1}, off this machine: its "
                    + "values cross the network unencrypted and unauthenticated; give it tls (see "
                    + "providers[].tls) unless the network between them is private", name, target);
        }
        return new ProviderConfig(name, target, deadline, metrics, retry, maxSeries, maxLabels, maxReplyBytes,
                keepAlive, maxClockSkew, tls, protocol, upstream);
    }

    /** The provider keys only {@code protocol: externalMetricsApi} reads. */
    private static final List<String> UPSTREAM_KEYS = List.of("forward", "interval", "idleAfter", "maxTuples",
            "maxAge", "onError", "lastKnownGoodFor", "staticValue", "tokenFile", "insecureSkipTLSVerify");

    /** An upstream's own settings, from its provider entry. */
    private static UpstreamConfig upstream(Node node, Map<String, Object> map) {
        if (map.get("forward") == null) {
            throw new ConfigException(node.path("forward") + ": " + UpstreamConfig.FORWARD_REQUIRED);
        }
        Node forwardNode = node.child("forward", map.get("forward"));
        List<Object> items = forwardNode.list();
        List<String> forward = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Node item = forwardNode.item(i, items.get(i));
            String glob = item.scalar();
            item.check("", UpstreamConfig.globProblem(glob));
            forward.add(glob);
        }
        if (forward.isEmpty()) {
            throw new ConfigException(node.path("forward") + ": " + UpstreamConfig.FORWARD_REQUIRED);
        }
        Duration interval = node.optionalDuration(map, "interval", TriggerSpec.MAX_PERIOD)
                .orElse(TriggerSpec.DEFAULT_INTERVAL);
        node.check("interval", TriggerSpec.intervalProblem(interval));
        Duration idleAfter = node.optionalDuration(map, "idleAfter", TriggerSpec.MAX_PERIOD)
                .orElse(UpstreamConfig.DEFAULT_IDLE_AFTER);
        int maxTuples = positive(node, map, "maxTuples", UpstreamConfig.DEFAULT_MAX_TUPLES);
        Duration maxAge = node.optionalDuration(map, "maxAge", TriggerSpec.MAX_PERIOD)
                .orElse(new TriggerSpec.Interval(interval).defaultMaxAge());
        OnErrorPolicy onError = onErrorPolicy(node, map);
        if (onError instanceof OnErrorPolicy.LastKnownGood lkg && !lkg.outlasts(maxAge)) {
            throw new ConfigException(node.path("lastKnownGoodFor") + ": " + Durations.format(lkg.bound())
                    + " is not longer than maxAge (" + Durations.format(maxAge) + ")");
        }
        Optional<Path> tokenFile = node.optionalString(map, "tokenFile").map(Path::of);
        // checked now, as TLS files are: a mistyped path is a load error, not a 503 on every forwarded read
        tokenFile.filter(file -> !Files.isRegularFile(file) || !Files.isReadable(file)).ifPresent(file -> {
            throw new ConfigException(node.path("tokenFile") + ": " + file + " is not a readable file");
        });
        boolean insecure = node.optionalBoolean(map, "insecureSkipTLSVerify").orElse(false);
        try {
            return new UpstreamConfig(forward, interval, idleAfter, maxTuples, maxAge, onError, tokenFile, insecure);
        } catch (ConfigException e) {
            throw new ConfigException(node.path("") + ": " + e.getMessage());
        }
    }

    /** A provider's {@code tls}, its files read now so a missing or broken one is reported at load. */
    private static ProviderTls providerTls(Node node) {
        Map<String, Object> map = node.map(Set.of("caFile", "certFile", "keyFile", "serverName"));
        Optional<Path> caFile = node.optionalString(map, "caFile").map(Path::of);
        Optional<Path> certFile = node.optionalString(map, "certFile").map(Path::of);
        Optional<Path> keyFile = node.optionalString(map, "keyFile").map(Path::of);
        Optional<String> serverName = node.optionalString(map, "serverName");
        node.check("serverName", serverName.flatMap(ProviderTls::serverNameProblem));
        node.check(certFile.isPresent() ? "certFile" : "keyFile",
                ProviderTls.pairProblem(certFile.isPresent(), keyFile.isPresent()));
        node.check("caFile", caFile.flatMap(ProviderTls::certificatesProblem));
        node.check("certFile", certFile.flatMap(ProviderTls::certificatesProblem));
        if (certFile.isPresent() && keyFile.isPresent()) {
            node.check("keyFile", ProviderTls.identityProblem(certFile.get(), keyFile.get()));
        }
        return new ProviderTls(caFile, certFile, keyFile, serverName);
    }

    private static int positive(Node node, Map<String, Object> map, String key, int fallback) {
        int value = node.optionalInt(map, key).orElse(fallback);
        node.check(key, ProviderConfig.limitProblem(value));
        return value;
    }

    private static MetricConfig metric(Node node) {
        Map<String, Object> map = node.map(Set.of("namespace", "name", "interval", "push", "maxAge", "onError",
                "lastKnownGoodFor", "staticValue", "scaledObjectRef", "scalerMetricName"));
        String namespace = node.optionalString(map, "namespace").orElse("*");
        node.check("namespace", MetricKey.namespaceProblem(namespace));
        String name = node.string(map, "name");
        node.check("name", MetricKey.nameProblem(name));
        boolean push = node.optionalBoolean(map, "push").orElse(false);
        Optional<Duration> interval = node.optionalDuration(map, "interval", TriggerSpec.MAX_PERIOD);
        node.check("interval", interval.flatMap(TriggerSpec::intervalProblem));
        if (push && interval.isPresent()) {
            throw new ConfigException(node.path("") + ": give either interval or push: true, not both");
        }
        TriggerSpec trigger;
        if (push) {
            trigger = new TriggerSpec.Push();
        } else {
            trigger = new TriggerSpec.Interval(interval.orElse(TriggerSpec.DEFAULT_INTERVAL));
        }
        Optional<Duration> maxAge = node.optionalDuration(map, "maxAge", TriggerSpec.MAX_PERIOD);
        // only against an interval written here: without one, the provider's Describe may announce
        // a shorter interval than the default, and a short maxAge is then what the user means
        if (maxAge.isPresent() && interval.isPresent() && maxAge.get().compareTo(interval.get()) < 0) {
            throw new ConfigException(node.path("maxAge") + ": " + Durations.format(maxAge.get())
                    + " is shorter than the interval (" + Durations.format(interval.get())
                    + "), so the value would be stale before each next fetch; give at least the interval");
        }
        OnErrorPolicy onError = onErrorPolicy(node, map);
        boolean lastKnownGoodFor = node.optionalDuration(map, "lastKnownGoodFor", TriggerSpec.MAX_PERIOD).isPresent();
        if (onError instanceof OnErrorPolicy.LastKnownGood lkg) {
            checkLastKnownGoodFor(node, lkg, lastKnownGoodFor, maxAge,
                    interval.isPresent() || push ? Optional.of(trigger) : Optional.empty());
        }
        Optional<String> scalerMetricName = node.optionalString(map, "scalerMetricName");
        Optional<ScalerMetric> scaler = Optional.empty();
        if (map.containsKey("scaledObjectRef")) {
            scaler = Optional.of(scaledObjectRef(node.child("scaledObjectRef", orEmpty(map.get("scaledObjectRef"))),
                    namespace, scalerMetricName));
        } else if (scalerMetricName.isPresent()) {
            throw new ConfigException(node.path("scalerMetricName") + ": only meaningful beside a scaledObjectRef, "
                    + "in a provider with protocol: kedaExternalScaler");
        }
        return new MetricConfig(namespace, name, trigger, maxAge, onError, scaler);
    }

    /** {@code onError} with its {@code lastKnownGoodFor} and {@code staticValue}, each only beside its policy. */
    private static OnErrorPolicy onErrorPolicy(Node node, Map<String, Object> map) {
        String policy = node.optionalString(map, "onError").orElse("error");
        Optional<Duration> lastKnownGoodFor = node.optionalDuration(map, "lastKnownGoodFor", TriggerSpec.MAX_PERIOD);
        Optional<String> staticValue = node.optionalString(map, "staticValue");
        OnErrorPolicy onError = switch (policy) {
            case "error" -> OnErrorPolicy.error();
            case "lastKnownGood" -> new OnErrorPolicy.LastKnownGood(
                    lastKnownGoodFor.orElse(OnErrorPolicy.LastKnownGood.DEFAULT_BOUND));
            case "static" -> new OnErrorPolicy.Static(staticQuantity(node, staticValue));
            default -> throw new ConfigException(node.path("onError") + ": \"" + policy
                    + "\" is not one of error, lastKnownGood, static");
        };
        if (lastKnownGoodFor.isPresent() && !(onError instanceof OnErrorPolicy.LastKnownGood)) {
            throw new ConfigException(node.path("lastKnownGoodFor") + ": only meaningful with onError: lastKnownGood");
        }
        if (staticValue.isPresent() && !(onError instanceof OnErrorPolicy.Static)) {
            throw new ConfigException(node.path("staticValue") + ": only meaningful with onError: static");
        }
        return onError;
    }

    /**
     * A KEDA scaler metric's {@code scaledObjectRef}: {@code name} required, {@code namespace} the
     * metric's unless that is {@code *}, {@code scalerMetadata} a mapping of strings.
     */
    private static ScalerMetric scaledObjectRef(Node node, String metricNamespace, Optional<String> metricName) {
        Map<String, Object> map = node.map(Set.of("name", "namespace", "scalerMetadata"));
        String name = node.string(map, "name");
        String namespace = node.optionalString(map, "namespace")
                .orElse(metricNamespace.equals(MetricKey.ALL_NAMESPACES) ? "" : metricNamespace);
        Map<String, String> metadata = new LinkedHashMap<>();
        if (map.get("scalerMetadata") != null) {
            Node metadataNode = node.child("scalerMetadata", map.get("scalerMetadata"));
            if (!(metadataNode.value() instanceof Map<?, ?> raw)) {
                throw new ConfigException(metadataNode.path("") + ": expected a mapping of keys to values");
            }
            raw.forEach((key, value) -> {
                // verbatim, as KEDA sends a ScaledObject's map[string]string: YAML would read 010 as 8 and
                // yes as true, so anything but a string is refused rather than silently rewritten
                if (!(value instanceof String text)) {
                    throw new ConfigException(metadataNode.path(String.valueOf(key)) + ": expected a string; "
                            + "quote the value: scaler metadata goes to the scaler verbatim, and YAML reads an "
                            + "unquoted 010 as 8 and yes as true");
                }
                metadata.put(String.valueOf(key), text);
            });
        }
        return new ScalerMetric(name, namespace, metadata, metricName);
    }

    /**
     * Rejects a last-known-good bound not longer than the max age: the last value would never be served
     * once stale, and the policy would silently be {@code error}. Checked against a written maxAge, else
     * against the default a written trigger implies; without either, Describe decides at run time.
     */
    private static void checkLastKnownGoodFor(Node node, OnErrorPolicy.LastKnownGood policy, boolean written,
                                              Optional<Duration> maxAge, Optional<TriggerSpec> writtenTrigger) {
        String comparedWith;
        Duration limit;
        if (maxAge.isPresent()) {
            limit = maxAge.get();
            comparedWith = "maxAge (" + Durations.format(limit) + ")";
        } else if (writtenTrigger.isPresent()) {
            limit = writtenTrigger.get().defaultMaxAge();
            comparedWith = writtenTrigger.get() instanceof TriggerSpec.Interval interval
                    ? "the default max age, three intervals of " + Durations.format(interval.period()) + " ("
                            + Durations.format(limit) + ")"
                    : "the default max age of a push metric (" + Durations.format(limit) + ")";
        } else {
            return;
        }
        if (!policy.outlasts(limit)) {
            throw new ConfigException(node.path("lastKnownGoodFor") + ": " + Durations.format(policy.bound())
                    + (written ? "" : " (the default)") + " is not longer than " + comparedWith
                    + ", so the last value would never be served once stale; give more than the max age");
        }
    }

    private static String staticQuantity(Node node, Optional<String> staticValue) {
        String text = staticValue.orElseThrow(() -> new ConfigException(
                node.path("staticValue") + ": required with onError: static (a number or quantity such as 5 or 500m)"));
        try {
            return Quantity.parse(text).canonical();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(node.path("staticValue") + ": \"" + text + "\" is not a Kubernetes quantity", e);
        }
    }

    /** A YAML value and the path that leads to it, for error messages. */
    private record Node(String path, Object value) {

        String path(String key) {
            if (key.isEmpty()) {
                return path.isEmpty() ? "(top level)" : path;
            }
            return path.isEmpty() ? key : path + "." + key;
        }

        /** Fails naming {@code key}'s path when {@code problem} holds one. */
        void check(String key, Optional<String> problem) {
            if (problem.isPresent()) {
                throw new ConfigException(path(key) + ": " + problem.get());
            }
        }

        Node child(String key, Object child) {
            return new Node(path(key), child);
        }

        Node item(int index, Object child) {
            return new Node(path + "[" + index + "]", child);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> map(Set<String> known) {
            if (!(value instanceof Map<?, ?> raw)) {
                throw new ConfigException(path("") + ": expected a mapping of keys to values");
            }
            for (Object key : raw.keySet()) {
                if (!(key instanceof String k) || !known.contains(k)) {
                    throw new ConfigException(path("") + ": unknown key \"" + key + "\" (known keys: "
                            + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
            return (Map<String, Object>) raw;
        }

        @SuppressWarnings("unchecked")
        List<Object> list() {
            if (value == null) {
                throw new ConfigException(path("") + ": required");
            }
            if (!(value instanceof List<?>)) {
                throw new ConfigException(path("") + ": expected a list");
            }
            return (List<Object>) value;
        }

        String scalar() {
            if (value == null || value instanceof Map<?, ?> || value instanceof List<?>) {
                throw new ConfigException(path("") + ": expected a single value");
            }
            String s = String.valueOf(value).strip();
            if (s.isEmpty()) {
                throw new ConfigException(path("") + ": must not be empty");
            }
            return s;
        }

        String string(Map<String, Object> map, String key) {
            return optionalString(map, key).orElseThrow(() -> new ConfigException(path(key) + ": required"));
        }

        Optional<String> optionalString(Map<String, Object> map, String key) {
            Object v = map.get(key);
            return v == null ? Optional.empty() : Optional.of(child(key, v).scalar());
        }

        Optional<Integer> optionalInt(Map<String, Object> map, String key) {
            Object v = map.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (v instanceof Integer i) {
                return Optional.of(i);
            }
            if (v instanceof Number n) { // YAML reads larger whole numbers as Long or BigInteger
                throw new ConfigException(path(key) + ": " + n + " is more than " + Integer.MAX_VALUE);
            }
            throw new ConfigException(path(key) + ": expected a whole number, got \"" + v + "\"");
        }

        Optional<Boolean> optionalBoolean(Map<String, Object> map, String key) {
            Object v = map.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (v instanceof Boolean b) {
                return Optional.of(b);
            }
            throw new ConfigException(path(key) + ": expected true or false, got \"" + v + "\"");
        }

        /** A positive duration of at most {@code limit}, when given. */
        Optional<Duration> optionalDuration(Map<String, Object> map, String key, Duration limit) {
            Optional<Duration> duration = optionalDuration(map, key);
            if (duration.isPresent() && (duration.get().isZero() || duration.get().isNegative())) {
                throw new ConfigException(path(key) + ": must be positive");
            }
            if (duration.isPresent() && duration.get().compareTo(limit) > 0) {
                throw new ConfigException(path(key) + ": " + Durations.format(duration.get())
                        + " is longer than the limit of " + Durations.format(limit)
                        + (limit.toDays() > 0 ? " (" + limit.toDays() + " days)" : ""));
            }
            return duration;
        }

        Optional<Duration> optionalDuration(Map<String, Object> map, String key) {
            Optional<String> text = optionalString(map, key);
            try {
                return text.map(Durations::parse);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(path(key) + ": " + e.getMessage(), e);
            }
        }
    }
}
