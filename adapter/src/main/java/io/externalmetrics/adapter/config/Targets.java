package io.externalmetrics.adapter.config;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * The rule for provider targets: what gRPC's channel builder accepts, and for DNS targets an
 * explicit port. Checked with the configuration, so a target gRPC cannot use fails the file
 * instead of a provider's start; and without the port check {@code 127.0.0.1} silently means port 80.
 */
final class Targets {

    private static final String FORMS = "write host:port, dns:///host:port or unix:///path";

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

    /** As gRPC decides: a scheme it has a resolver for, else its default scheme (DNS) for the whole text. */
    private static boolean resolvedByDns(String target) {
        NameResolverRegistry registry = NameResolverRegistry.getDefaultRegistry();
        String scheme;
        try {
            scheme = new URI(target).getScheme();
        } catch (URISyntaxException e) {
            scheme = null;
        }
        if (scheme == null || registry.getProviderForScheme(scheme) == null) {
            scheme = registry.getDefaultScheme();
        }
        return scheme.equals("dns");
    }
}
