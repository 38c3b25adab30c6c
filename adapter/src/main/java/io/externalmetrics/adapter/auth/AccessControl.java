package io.externalmetrics.adapter.auth;

import static io.externalmetrics.adapter.k8s.StatusJson.abbreviate;

import io.externalmetrics.adapter.logging.RateLimitedLog;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The checks every request passes before it is served, in k8s.io/apiserver's order: an always-allowed
 * path (kubelet probes carry no credentials) skips both; otherwise the authenticators are tried in
 * order (front proxy, client certificate, bearer token) and the first that knows the caller wins
 * (none: 401); members of an always-allowed group skip the review; everyone else is authorized
 * ({@code Authorizer}) for the request's {@link Attributes}: denied is 403, a review that could not
 * be had 503, never an allow.
 */
public final class AccessControl {

    private static final System.Logger LOG = System.getLogger(AccessControl.class.getName());
    private static final AccessControl OPEN = new AccessControl(List.of(), (user, attributes) -> {
        throw new IllegalStateException("an open adapter authorizes nothing");
    }, List.of(), List.of(), false);

    private final List<RequestAuthenticator> authenticators;
    private final Authorizer authorizer;
    private final List<String> alwaysAllowPaths;
    private final Set<String> alwaysAllowGroups;
    private final boolean enabled;
    private final RateLimitedLog problems = RateLimitedLog.of(LOG);

    private AccessControl(List<RequestAuthenticator> authenticators, Authorizer authorizer,
                          List<String> alwaysAllowPaths, List<String> alwaysAllowGroups, boolean enabled) {
        this.authenticators = List.copyOf(authenticators);
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
        this.alwaysAllowPaths = List.copyOf(alwaysAllowPaths);
        this.alwaysAllowGroups = Set.copyOf(alwaysAllowGroups);
        this.enabled = enabled;
    }

    /** No checks at all: every request is served (the adapter without {@code authentication}). */
    public static AccessControl open() {
        return OPEN;
    }

    /**
     * @param authenticators    tried in order
     * @param authorizer        decides for authenticated callers outside {@code alwaysAllowGroups}
     * @param alwaysAllowPaths  exact paths, or prefixes ending in {@code *}, served without any check
     * @param alwaysAllowGroups groups whose members are allowed without a review
     */
    public static AccessControl of(List<RequestAuthenticator> authenticators, Authorizer authorizer,
                                   List<String> alwaysAllowPaths, List<String> alwaysAllowGroups) {
        return new AccessControl(authenticators, authorizer, alwaysAllowPaths, alwaysAllowGroups, true);
    }

    /** Whether requests are checked at all. */
    public boolean enabled() {
        return enabled;
    }

    /** Decides about one request. */
    public Outcome check(AuthRequest request) {
        if (!enabled || alwaysAllowed(request.paths())) {
            return new Outcome.Allowed(Optional.empty());
        }
        Optional<UserInfo> user;
        try {
            user = authenticate(request);
        } catch (RuntimeException e) {
            problems.log(Level.WARNING, "the credentials of a request could not be checked: " + e);
            return new Outcome.Unavailable("the request's credentials could not be checked" + why(e)
                    + "; try again later");
        }
        if (user.isEmpty()) {
            return new Outcome.Unauthenticated();
        }
        if (user.get().groups().stream().anyMatch(alwaysAllowGroups::contains)) {
            return new Outcome.Allowed(user);
        }
        Attributes attributes = request.attributes();
        Decision decision;
        try {
            decision = authorizer.authorize(user.get(), attributes);
        } catch (RuntimeException e) {
            problems.log(Level.WARNING, "a request could not be authorized: " + e);
            return new Outcome.Unavailable("the request could not be authorized" + why(e) + "; try again later");
        }
        if (decision.allowed()) {
            return new Outcome.Allowed(user);
        }
        return new Outcome.Forbidden(forbiddenMessage(user.get(), attributes, decision.reason()));
    }

    /** A review's own message says what failed without secrets (its contract); anything else is not shown. */
    private static String why(RuntimeException e) {
        return e instanceof ReviewUnavailableException ? " (" + e.getMessage() + ")" : "";
    }

    private Optional<UserInfo> authenticate(AuthRequest request) {
        for (RequestAuthenticator authenticator : authenticators) {
            Optional<UserInfo> user = authenticator.authenticate(request);
            if (user.isPresent()) {
                return user;
            }
        }
        return Optional.empty();
    }

    private boolean alwaysAllowed(List<String> paths) {
        return !paths.isEmpty() && paths.stream().allMatch(this::alwaysAllowed);
    }

    private boolean alwaysAllowed(String path) {
        for (String allowed : alwaysAllowPaths) {
            boolean matches = allowed.endsWith("*")
                    ? path.startsWith(allowed.substring(0, allowed.length() - 1))
                    : path.equals(allowed);
            if (matches) {
                return true;
            }
        }
        return false;
    }

    /**
     * k8s.io/apiserver's answer to a denied request (its {@code forbiddenMessage}, wrapped as
     * {@code NewForbidden} wraps it), with the authorizer's reason appended when it gave one.
     */
    static String forbiddenMessage(UserInfo user, Attributes attributes, String reason) {
        String message = switch (attributes) {
            case Attributes.Resource r -> abbreviate(r.resource()) + "." + r.group() + " is forbidden: User \""
                    + abbreviate(user.name()) + "\" cannot " + r.verb() + " resource \"" + abbreviate(r.resource())
                    + "\" in API group \"" + r.group() + "\"" + (r.namespace().isEmpty() ? " at the cluster scope"
                            : " in the namespace \"" + abbreviate(r.namespace()) + "\"");
            case Attributes.NonResource n -> "forbidden: User \"" + abbreviate(user.name()) + "\" cannot "
                    + n.verb() + " path \"" + abbreviate(n.path()) + "\"";
        };
        return sanitize(reason.isEmpty() ? message : message + ": " + abbreviate(reason));
    }

    /** As Kubernetes escapes these messages, so that no client renders them as markup. */
    private static String sanitize(String message) {
        return message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
