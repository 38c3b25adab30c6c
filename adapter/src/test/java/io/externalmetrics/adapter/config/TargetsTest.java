package io.externalmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The configuration check reads a target as gRPC's channel builder does, without building a channel. */
class TargetsTest {

    /** Targets gRPC takes, refuses, or reads differently than a URI would suggest. */
    private static final List<String> TARGETS = List.of(
            "127.0.0.1:50051", "localhost:50051", "provider.monitoring.svc:50051", "dns:///provider:50051",
            "dns://8.8.8.8/provider:50051", "[::1]:50051", "::1", "unix:///run/provider.sock", "unix:relative.sock",
            "127.0.0.1", "dns:///provider", "provider:0", "provider:70000", "foo bar:1", "http://127.0.0.1:50051",
            "ipv4:127.0.0.1:50051", "no-scheme:/path", "xds:///provider", "%zz:1", "a:b:c", "");

    @Test
    void problem_acceptsWhatTheChannelBuilderAccepts_withItsAuthority() {
        for (String target : TARGETS) {
            Optional<String> built = channelAuthority(target);
            Optional<String> problem = Targets.problem(target);
            if (built.isEmpty()) {
                assertThatThrownBy(() -> Targets.authority(target)).as(target)
                        .isInstanceOf(IllegalArgumentException.class);
                assertThat(problem).as(target).hasValueSatisfying(
                        message -> assertThat(message).contains("is not a target gRPC can use"));
            } else {
                assertThat(Targets.authority(target)).as(target).isEqualTo(built.get());
                // accepted by gRPC, refused for its port only
                problem.ifPresent(message -> assertThat(message).as(target)
                        .containsAnyOf("has no port", "is not a port number"));
            }
        }
    }

    @Test
    void isLocal_readsTheHostTheChannelWouldUse() {
        assertThat(Targets.isLocal("127.0.0.1:50051")).isTrue();
        assertThat(Targets.isLocal("dns:///localhost:50051")).isTrue();
        assertThat(Targets.isLocal("[::1]:50051")).isTrue();
        assertThat(Targets.isLocal("unix:///run/provider.sock")).isTrue();
        assertThat(Targets.isLocal("dns://8.8.8.8/127.0.0.1:50051")).isTrue(); // the host, not the DNS server
        assertThat(Targets.isLocal("10.0.0.5:50051")).isFalse();
        assertThat(Targets.isLocal("provider.monitoring.svc:50051")).isFalse();
    }

    /** The authority of a channel gRPC builds for {@code target}, or nothing when it refuses the target. */
    private static Optional<String> channelAuthority(String target) {
        ManagedChannel channel;
        try {
            channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(channel.authority());
        } finally {
            channel.shutdownNow();
        }
    }
}
