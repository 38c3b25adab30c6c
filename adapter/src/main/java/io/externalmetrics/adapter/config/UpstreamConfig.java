package io.externalmetrics.adapter.config;

import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.k8s.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a provider with {@code protocol: externalMetricsApi} needs beyond a provider's common settings:
 * which metric names it answers and how its (namespace, metric, selector) tuples are followed.
 *
 * @param forward               metric names answered by the upstream, exactly or as globs ({@code *} any
 *                              characters, {@code ?} one); a native metric of the same name wins
 * @param interval              refresh of each followed tuple while it is read
 * @param idleAfter             a tuple not read this long is dropped (one that never had a value sooner)
 * @param maxTuples             most tuples followed at once; a read of a new one beyond is refused (503)
 *                              unless a tuple that never had a value can make room
 * @param maxAge                how old a tuple's value may be and still be served as fresh
 * @param onError               what a read gets when a tuple has no fresh value
 * @param tokenFile             a bearer token sent to the upstream, read again on every request (a projected
 *                              service-account token rotates)
 * @param insecureSkipTlsVerify whether the upstream's certificate is not checked (as an APIService's
 *                              {@code insecureSkipTLSVerify}); exclusive with {@code tls.caFile}
 */
public record UpstreamConfig(List<String> forward, Duration interval, Duration idleAfter, int maxTuples,
                             Duration maxAge, OnErrorPolicy onError, Optional<Path> tokenFile,
                             boolean insecureSkipTlsVerify) {

    /** Default idle time of a tuple. */
    public static final Duration DEFAULT_IDLE_AFTER = Duration.ofMinutes(10);
    /** Default bound on followed tuples. */
    public static final int DEFAULT_MAX_TUPLES = 10_000;
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9._:*?-]{1,253}");

    public UpstreamConfig {
        forward = List.copyOf(forward);
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(idleAfter, "idleAfter");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(onError, "onError");
        Objects.requireNonNull(tokenFile, "tokenFile");
        if (forward.isEmpty()) {
            throw new ConfigException("forward: " + FORWARD_REQUIRED);
        }
        for (int i = 0; i < forward.size(); i++) {
            int index = i;
            globProblem(forward.get(i)).ifPresent(p -> {
                throw new ConfigException("forward[" + index + "]: " + p);
            });
        }
        TriggerSpec.intervalProblem(interval).ifPresent(p -> {
            throw new ConfigException("interval: " + p);
        });
        if (idleAfter.compareTo(interval) < 0) {
            throw new ConfigException("idleAfter: " + Durations.format(idleAfter) + " is shorter than the interval ("
                    + Durations.format(interval) + ")");
        }
        if (maxTuples < 1) {
            throw new ConfigException("maxTuples: must be at least 1, got " + maxTuples);
        }
        if (maxAge.compareTo(interval) < 0) {
            throw new ConfigException("maxAge: " + Durations.format(maxAge) + " is shorter than the interval ("
                    + Durations.format(interval) + "), so the value would be stale before each next fetch");
        }
    }

    /** Why {@code forward} is required. */
    static final String FORWARD_REQUIRED = "required with protocol: externalMetricsApi (the metric names, or globs "
            + "such as \"s0-*\", that the upstream answers)";

    /** What is wrong with one {@code forward} entry, or nothing. */
    static Optional<String> globProblem(String glob) {
        return GLOB.matcher(glob).matches() && !glob.chars().allMatch(c -> c == '*' || c == '?')
                ? Optional.empty()
                : Optional.of("\"" + glob + "\" is not a metric name or glob (letters, digits, '.', '_', ':', '-', "
                        + "with '*' and '?' as wildcards, not only wildcards)");
    }

    /** Whether {@code glob} has no wildcard: it names one metric. */
    public static boolean isLiteral(String glob) {
        return glob.indexOf('*') < 0 && glob.indexOf('?') < 0;
    }

    /**
     * Whether {@code name} matches {@code glob}, case-sensitively (the upstream decides about case). Greedy
     * with one backtrack point (the last {@code *}), so at most length of name times length of glob steps
     * whatever the glob: a name comes from the caller.
     */
    public static boolean matches(String glob, String name) {
        int g = 0;
        int n = 0;
        int star = -1; // the last '*' seen in the glob
        int resume = 0; // where in the name that '*' is tried next
        while (n < name.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == name.charAt(n))) {
                g++;
                n++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                resume = n;
            } else if (star >= 0) {
                g = star + 1;
                n = ++resume;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    /**
     * What is wrong with an upstream's {@code target}, or nothing: an {@code https://host[:port]} URL
     * without path, query or credentials (the API's paths are added).
     */
    public static Optional<String> targetProblem(String target) {
        try {
            URI uri = new URI(target);
            if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getUserInfo() != null
                    || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return Optional.of(TARGET_FORM + ", got \"" + target + "\"");
            }
            return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.of(TARGET_FORM + ", got \"" + target + "\" (" + e.getReason() + ")");
        }
    }

    private static final String TARGET_FORM = "with protocol: externalMetricsApi, an https://host:port URL "
            + "(no path: /apis/external.metrics.k8s.io/v1beta1 is added)";
}
