package io.externalmetrics.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MetricProviderServerTest {

    private static final Trigger EVERY_SECOND = Trigger.every(Duration.ofSeconds(1));

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    @Test
    void addMetric_duplicateNamespaceAndName_isRejectedAtOnce() {
        var builder = MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "m", EVERY_SECOND, request -> Value.of(1))
                .addMetric(Namespace.DEFAULT, "m", EVERY_SECOND, request -> Value.of(1));

        assertThatThrownBy(() -> builder.addMetric(Namespace.ALL, "m", Trigger.onEvent(),
                request -> Value.of(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric \"m\" in namespace \"*\" is already registered;"
                        + " each (namespace, name) may be registered once");
    }

    @Test
    void addMetric_badArguments_failNamingTheArgument() {
        var builder = MetricProviderServer.builder();

        assertThatThrownBy(() -> builder.addMetric(Namespace.ALL, "", EVERY_SECOND, r -> Value.of(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must not be empty");
        assertThatThrownBy(() -> builder.addMetric(Namespace.ALL, "a/b", EVERY_SECOND, r -> Value.of(1)))
                .hasMessageStartingWith("name: \"a/b\" must not contain '/'");
        assertThatThrownBy(() -> builder.addMetric("Default", "m", EVERY_SECOND, r -> Value.of(1)))
                .hasMessageStartingWith("namespace: \"Default\" is neither \"*\"");
        assertThatThrownBy(() -> builder.addMetric(Namespace.ALL, "m", null, r -> Value.of(1)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("trigger must not be null");
        assertThatThrownBy(() -> builder.addMetric(Namespace.ALL, "m", EVERY_SECOND, null))
                .hasMessage("function must not be null");
        assertThatThrownBy(() -> builder.addMetric(Namespace.ALL, "m", EVERY_SECOND,
                Duration.ZERO, r -> Value.of(1)))
                .hasMessage("maxAge must be positive, got PT0S");
        assertThatThrownBy(() -> builder.port(65536))
                .hasMessage("port must be between 0 and 65535, got 65536");
        assertThatThrownBy(() -> builder.address(" ")).hasMessage("host must not be blank");
    }

    @Test
    void port_beforeStart_isAnError() {
        var server = grpc.register(MetricProviderServer.builder().build());

        assertThatThrownBy(server::port)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("call start() first");
    }

    @Test
    void start_portZero_listensOnLoopbackAndServesUntilClosed() throws InterruptedException {
        var server = grpc.register(MetricProviderServer.builder()
                .port(0)
                .addMetric(Namespace.ALL, "incrementable", EVERY_SECOND,
                        request -> Value.of(7).withSelector("some-key", "A", 7))
                .build()
                .start());
        assertThat(server.port()).isPositive();
        ManagedChannel channel = grpc.register(Grpc.newChannelBuilderForAddress("127.0.0.1",
                server.port(), InsecureChannelCredentials.create()).build());
        var stub = MetricProviderGrpc.newBlockingStub(channel);

        var response = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .fetch(MetricProviderServiceTest.fetch(Namespace.ALL, "incrementable"));

        assertThat(response.getValue()).isEqualTo(7);
        assertThat(response.getSeriesCount()).isEqualTo(1);
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);

        server.close();

        server.awaitTermination(); // returns: close() has finished
        assertThatThrownBy(() -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .fetch(MetricProviderServiceTest.fetch(Namespace.ALL, "incrementable")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
                        e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        server.close(); // idempotent
    }

    @Test
    void start_portInUse_failsNamingTheAddress() {
        var first = grpc.register(MetricProviderServer.builder().port(0).build().start());
        var second = grpc.register(MetricProviderServer.builder().port(first.port()).build());

        assertThatThrownBy(second::start)
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageStartingWith("cannot listen on 127.0.0.1:" + first.port());
    }
}
