package io.externalmetrics.adapter.config;

import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.SynchronizationContext;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule for provider targets: what gRPC's channel builder accepts, and for DNS targets an
 * explicit port. Checked with the configuration, so a target gRPC cannot use fails the file
 * instead of a provider's start; and without the port check {@code 127.0.0.1} silently means port 80.
 *
 * <p>A target is read as gRPC's channel builder reads it ({@link #resolver}), through the name
 * resolver it picks, without building a channel: the first channel of a JVM initialises gRPC's and
 * Netty's transport, which took some 150 ms of a start; that now happens once, for the provider's own
 * channel, while the serving certificate is being made. (The channel builder would also refuse a Unix
 * socket where Netty has no native transport; such a target fails at the provider's start instead.)
 */
final class Targets {

    /** What a resolver is made with; only a started one would use them. */
    private static final NameResolver.Args RESOLVER_ARGS = NameResolver.Args.newBuilder()
            .setDefaultPort(80) // plaintext gRPC's port for a target without one, which problem() refuses
            .setProxyDetector(address -> null)
            .setSynchronizationContext(new SynchronizationContext((thread, e) -> {
            }))
            .setServiceConfigParser(new NameResolver.ServiceConfigParser() {
                @Override
                public NameResolver.ConfigOrError parseServiceConfig(Map<String, ?> rawServiceConfig) {
                    return NameResolver.ConfigOrError.fromConfig(rawServiceConfig);
                }
            })
            .build();
    private static final String FORMS = "write host:port, dns:///host:port or unix:///path";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** The form of a URI with a scheme, which gRPC never reads as a DNS name (as {@code ManagedChannelImplBuilder}). */
    private static final Pattern URI_WITH_SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*:/.*");

    private Targets() {
    }

    /** Returns what is wrong with a target, or nothing when gRPC can use it. */
    static Optional<String> problem(String target) {
        String authority;
        try {
            authority = authority(target);
        } catch (IllegalArgumentException e) {
            return Optional.of("\"" + target + "\" is not a target gRPC can use (" + e.getMessage() + "); " + FORMS);
        }
        if (!resolvedByDns(target)) {
            return Optional.empty();
        }
        // for DNS targets the authority is host[:port] as written
        int port = URI.create("//" + authority).getPort();
        if (port == -1) {
            return Optional.of("\"" + target + "\" has no port (gRPC would use port 80); write host:port, e.g. "
                    + "127.0.0.1:50051");
        }
        if (port < 1 || port > 65535) {
            return Optional.of("\"" + target + "\": port " + port + " is not a port number (1-65535)");
        }
        return Optional.empty();
    }

    /** Whether {@code target} is a Unix domain socket ({@code unix:path}, {@code unix:///path}). */
    static boolean isUnixSocket(String target) {
        return scheme(target).filter(scheme -> scheme.equalsIgnoreCase("unix")).isPresent();
    }

    /**
     * Whether {@code target} (one {@link #problem} accepts) stays on this machine: a Unix socket, or a DNS
     * target whose host is {@code localhost} or a loopback IP literal. Names are not resolved: a name that
     * happens to resolve to a loopback address is not known to be one.
     */
    static boolean isLocal(String target) {
        if (isUnixSocket(target)) {
            return true;
        }
        if (!resolvedByDns(target)) {
            return false;
        }
        try {
            String host = URI.create("//" + authority(target)).getHost();
            if (host == null) {
                return false;
            }
            if (host.equalsIgnoreCase("localhost")) {
                return true;
            }
            String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            // only IP literals are parsed (getByName does not look them up); names are not resolved
            return (IPV4.matcher(literal).matches() || literal.contains(":"))
                    && InetAddress.getByName(literal).isLoopbackAddress();
        } catch (IllegalArgumentException | UnknownHostException e) {
            return false;
        }
    }

    /**
     * The authority a channel to {@code target} would have ({@code ManagedChannel.authority()}): for DNS
     * targets host[:port] as written.
     *
     * @throws IllegalArgumentException when gRPC cannot use the target, with its reason
     */
    static String authority(String target) {
        NameResolver resolver = resolver(target);
        try {
            return resolver.getServiceAuthority();
        } finally {
            resolver.shutdown();
        }
    }

    /**
     * The name resolver gRPC's channel builder picks for {@code target} (as
     * {@code ManagedChannelImplBuilder.getNameResolverProvider} does): the target as a URI when a
     * resolver has its scheme, else, unless it has the form of a URI with a scheme, the whole text under
     * the default scheme (DNS). Making a resolver starts nothing: it resolves only once started.
     *
     * @throws IllegalArgumentException when no resolver takes the target, or the resolver refuses it
     */
    private static NameResolver resolver(String target) {
        NameResolverRegistry registry = NameResolverRegistry.getDefaultRegistry();
        NameResolverProvider provider = null;
        URI uri = null;
        String syntaxError = "";
        try {
            uri = new URI(target);
            provider = registry.getProviderForScheme(uri.getScheme());
        } catch (URISyntaxException e) {
            syntaxError = " (" + e.getMessage() + ")";
        }
        if (provider == null && !URI_WITH_SCHEME.matcher(target).matches()) {
            try {
                uri = new URI(registry.getDefaultScheme(), "", "/" + target, null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            provider = registry.getProviderForScheme(uri.getScheme());
        }
        if (provider == null) {
            throw new IllegalArgumentException("Could not find a NameResolverProvider for " + target + syntaxError);
        }
        NameResolver resolver = provider.newNameResolver(uri, RESOLVER_ARGS);
        if (resolver == null) {
            throw new IllegalArgumentException("cannot create a NameResolver for " + target + syntaxError);
        }
        return resolver;
    }

    private static Optional<String> scheme(String target) {
        try {
            return Optional.ofNullable(new URI(target).getScheme());
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** As gRPC decides: a scheme it has a resolver for, else its default scheme (DNS) for the whole text. */
    private static boolean resolvedByDns(String target) {
        NameResolverRegistry registry = NameResolverRegistry.getDefaultRegistry();
        String scheme = scheme(target).filter(s -> registry.getProviderForScheme(s) != null)
                .orElse(registry.getDefaultScheme());
        return scheme.equals("dns");
    }
}
