package io.externalmetrics.adapter.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How authenticated callers are authorized.
 *
 * @param mode              who decides
 * @param allowedTTL        how long an allow is reused
 * @param deniedTTL         how long a deny is reused
 * @param alwaysAllowPaths  paths served without authentication or authorization (kubelet probes carry no
 *                          credentials): exact, or a prefix ending in {@code *}
 * @param alwaysAllowGroups members of these groups are allowed without a review
 */
public record AuthorizationConfig(Mode mode, Duration allowedTTL, Duration deniedTTL, List<String> alwaysAllowPaths,
                                  List<String> alwaysAllowGroups) {

    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);
    public static final List<String> DEFAULT_ALWAYS_ALLOW_PATHS =
            List.of("/healthz", "/livez", "/readyz", "/livez/*", "/readyz/*", "/healthz/*");
    public static final List<String> DEFAULT_ALWAYS_ALLOW_GROUPS = List.of("system:masters");

    /** Who decides. */
    public enum Mode {
        /** A SubjectAccessReview to the kube-apiserver, as every apiserver-based adapter does. */
        SUBJECT_ACCESS_REVIEW("SubjectAccessReview"),
        /** Every authenticated caller may do everything: for tests and clusters without RBAC. */
        ALWAYS_ALLOW("AlwaysAllow");

        private final String text;

        Mode(String text) {
            this.text = text;
        }

        /** The mode as written in the configuration. */
        public String text() {
            return text;
        }

        static Optional<Mode> parse(String text) {
            for (Mode mode : values()) {
                if (mode.text.equals(text)) {
                    return Optional.of(mode);
                }
            }
            return Optional.empty();
        }
    }

    public AuthorizationConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(allowedTTL, "allowedTTL");
        Objects.requireNonNull(deniedTTL, "deniedTTL");
        alwaysAllowPaths = List.copyOf(alwaysAllowPaths);
        alwaysAllowGroups = List.copyOf(alwaysAllowGroups);
        for (String path : alwaysAllowPaths) {
            pathProblem(path).ifPresent(problem -> {
                throw new ConfigException("authorization.alwaysAllowPaths: " + problem);
            });
        }
    }

    /** The defaults: SubjectAccessReview, secure unless said otherwise. */
    public static AuthorizationConfig defaults() {
        return withMode(Mode.SUBJECT_ACCESS_REVIEW);
    }

    /** {@code mode} with every other setting at its default. */
    public static AuthorizationConfig withMode(Mode mode) {
        return new AuthorizationConfig(mode, DEFAULT_TTL, DEFAULT_TTL, DEFAULT_ALWAYS_ALLOW_PATHS,
                DEFAULT_ALWAYS_ALLOW_GROUPS);
    }

    /** What is wrong with an always-allowed path, or nothing: it starts with '/' and has '*' only at its end. */
    static Optional<String> pathProblem(String path) {
        if (!path.startsWith("/")) {
            return Optional.of("\"" + path + "\" does not start with '/'");
        }
        int star = path.indexOf('*');
        if (star >= 0 && star != path.length() - 1) {
            return Optional.of("\"" + path + "\" has '*' before its end; only a trailing '*' (a prefix) is allowed");
        }
        return Optional.empty();
    }
}
