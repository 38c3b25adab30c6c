package io.externalmetrics.adapter.config;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule for provider targets: what gRPC's channel builder accepts, and for DNS targets an
 * explicit port. Checked with the configuration, so a target gRPC cannot use fails the file
 * instead of a provider's start; and without the port check {@code 127.0.0.1} silently means port 80.
 */
final class Targets {

    private static final String FORMS = "write host:port, dns:///host:port or unix:///path";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private Targets() {
    }

    /** Returns what is wrong with a target, or nothing when gRPC can use it. */
    static Optional<String> problem(String target) {
        ManagedChannel channel;
        try {
            // the channel builder is the parser the provider channels use; building one connects nothing
            channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
        } catch (IllegalArgumentException e) {
            return Optional.of("\"" + target + "\" is not a target gRPC can use (" + e.getMessage() + "); " + FORMS);
        }
        try {
            if (!resolvedByDns(target)) {
                return Optional.empty();
            }
            // for DNS targets the authority is host[:port] as written
            int port = URI.create("//" + channel.authority()).getPort();
            if (port == -1) {
                return Optional.of("\"" + target + "\" has no port (gRPC would use port 80); write host:port, e.g. "
                        + "127.0.0.1:50051");
            }
            if (port < 1 || port > 65535) {
                return Optional.of("\"" + target + "\": port " + port + " is not a port number (1-65535)");
            }
            return Optional.empty();
        } finally {
            channel.shutdownNow();
        }
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
        ManagedChannel channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
        try {
            String host = URI.create("//" + channel.authority()).getHost();
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
        } finally {
            channel.shutdownNow();
        }
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
