package io.externalmetrics.adapter.check;

import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.config.ConfigException;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.config.ProviderTls;
import io.externalmetrics.adapter.k8s.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The command line of {@code check-provider}.
 *
 * @param target   the provider's gRPC target, as a provider's {@code target} in the configuration
 * @param tls      TLS to the provider, as a provider's {@code tls}; empty: plaintext
 * @param deadline the Fetch and Describe deadline, as a provider's {@code deadline}
 * @param watchFor how long to wait for each watched metric's first Watch event
 * @param metrics  the metrics to check: narrows Describe's list, or replaces it when Describe is UNIMPLEMENTED
 * @param json     JSON output instead of text
 * @param help     print the usage and exit
 */
record CheckOptions(String target, Optional<ProviderTls> tls, Duration deadline, Duration watchFor,
                    List<MetricKey> metrics, boolean json, boolean help) {

    static final Duration DEFAULT_WATCH = Duration.ofSeconds(5);

    static final String USAGE = """
            Usage: externalmetrics-adapter check-provider HOST:PORT [options]

            Checks a metric provider against the contract (externalmetrics/v1/provider.proto) as the
            adapter would use it: Describe, every metric's Fetch validated with the adapter's own code,
            NOT_FOUND for an unknown metric, Watch's first events, Fetch deadlines, concurrent Fetches.
            Prints one line per rule (PASS, WARN for a "should", FAIL for a "must") and a summary.

            Options:
              --deadline DURATION  the Fetch deadline, as a provider's `deadline` (default 2s); an interval
                                   metric gets at most half its interval, as from the adapter
              --watch DURATION     how long to wait for each push metric's first Watch event (default 5s)
              --metric NS/NAME     check only this metric (repeatable; NS "*" for every namespace); the
                                   metrics to check when Describe is UNIMPLEMENTED
              --json               print a JSON object instead of text (see README.md, "check-provider")
              --tls                TLS, trusting the JVM's default CAs (implied by the options below)
              --ca-file FILE       the CA certificates that sign the provider's certificate
              --cert-file FILE     a client certificate chain, for mutual TLS (with --key-file)
              --key-file FILE      the client certificate's private key
              --server-name NAME   the name checked in the provider's certificate, instead of HOST
              --help               print this help and exit

            Exit code: 0 nothing failed (warnings allowed), 1 a rule failed, 2 the provider could not be
            reached (or the arguments are wrong).
            """;

    CheckOptions {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(watchFor, "watchFor");
        metrics = List.copyOf(metrics);
    }

    /** The provider settings the adapter would run this provider with: defaults, and these options. */
    ProviderConfig providerConfig() {
        ProviderConfig defaults = ProviderConfig.of("check-provider", target);
        return new ProviderConfig(defaults.name(), target, deadline, List.of(), defaults.retry(),
                defaults.maxSeries(), defaults.maxLabelsPerSeries(), defaults.maxReplyBytes(), defaults.keepAlive(),
                defaults.maxClockSkew(), tls);
    }

    /**
     * Parses the arguments after {@code check-provider}.
     *
     * @throws IllegalArgumentException saying what is wrong with them
     */
    static CheckOptions parse(String[] args) {
        String target = null;
        Duration deadline = ProviderConfig.DEFAULT_DEADLINE;
        Duration watchFor = DEFAULT_WATCH;
        List<MetricKey> metrics = new ArrayList<>();
        boolean json = false;
        boolean tls = false;
        Optional<Path> caFile = Optional.empty();
        Optional<Path> certFile = Optional.empty();
        Optional<Path> keyFile = Optional.empty();
        Optional<String> serverName = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String option = arg.contains("=") && arg.startsWith("--") ? arg.substring(0, arg.indexOf('=')) : arg;
            switch (option) {
                case "--help", "-h" -> {
                    return new CheckOptions("", Optional.empty(), deadline, watchFor, List.of(), false, true);
                }
                case "--json" -> json = true;
                case "--tls" -> tls = true;
                case "--deadline", "--watch", "--metric", "--ca-file", "--cert-file", "--key-file", "--server-name" -> {
                    String value;
                    if (!option.equals(arg)) {
                        value = arg.substring(option.length() + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new IllegalArgumentException(option + " needs a value");
                    }
                    switch (option) {
                        case "--deadline" -> deadline = positive(option, value);
                        case "--watch" -> watchFor = positive(option, value);
                        case "--metric" -> metrics.add(metric(value));
                        case "--ca-file" -> caFile = Optional.of(Path.of(value));
                        case "--cert-file" -> certFile = Optional.of(Path.of(value));
                        case "--key-file" -> keyFile = Optional.of(Path.of(value));
                        default -> serverName = Optional.of(value);
                    }
                }
                default -> {
                    if (arg.startsWith("-") || target != null) {
                        throw new IllegalArgumentException("unknown argument \"" + arg + "\"");
                    }
                    target = arg;
                }
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("the provider's HOST:PORT is required");
        }
        Optional<ProviderTls> providerTls = Optional.empty();
        if (tls || caFile.isPresent() || certFile.isPresent() || keyFile.isPresent() || serverName.isPresent()) {
            try {
                providerTls = Optional.of(new ProviderTls(caFile, certFile, keyFile, serverName));
            } catch (ConfigException e) {
                throw new IllegalArgumentException(e.getMessage().replace("certFile", "--cert-file")
                        .replace("keyFile", "--key-file").replace("serverName", "--server-name"), e);
            }
        }
        Optional<String> targetProblem = ProviderConfig.targetProblem(target, providerTls);
        if (targetProblem.isPresent()) {
            throw new IllegalArgumentException("target " + targetProblem.get());
        }
        return new CheckOptions(target, providerTls, deadline, watchFor, metrics, json, false);
    }

    private static Duration positive(String option, String value) {
        Duration d = Durations.parse(value); // names the text when it is not a duration
        if (d.isZero()) {
            throw new IllegalArgumentException(option + " must be longer than 0s");
        }
        return d;
    }

    /** {@code NS/NAME}, checked as Describe's descriptors are: NS {@code *} or a namespace name. */
    private static MetricKey metric(String value) {
        int slash = value.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("--metric \"" + value + "\": write NAMESPACE/NAME, e.g. \"*/"
                    + value + "\" for a metric served in every namespace");
        }
        var key = new MetricKey(value.substring(0, slash), value.substring(slash + 1));
        MetricKey.namespaceProblem(key.namespace()).or(() -> MetricKey.nameProblem(key.name())).ifPresent(p -> {
            throw new IllegalArgumentException("--metric \"" + value + "\": " + p);
        });
        return key;
    }
}
