package io.externalmetrics.provider;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes every gRPC server, channel and provider a test registers, newest first, even when the
 * test fails: JUnit 5's stand-in for grpc-java's JUnit 4 {@code GrpcCleanupRule}.
 *
 * <pre>{@code @RegisterExtension final GrpcCleanup grpc = new GrpcCleanup();}</pre>
 */
final class GrpcCleanup implements AfterEachCallback {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    ManagedChannel register(ManagedChannel channel) {
        resources.push(() -> {
            channel.shutdownNow();
            channel.awaitTermination(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        });
        return channel;
    }

    Server register(Server server) {
        resources.push(() -> {
            server.shutdownNow();
            server.awaitTermination(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        });
        return server;
    }

    MetricProviderServer register(MetricProviderServer provider) {
        resources.push(provider);
        return provider;
    }

    /** Serves {@code service} on a new in-process server; returns a channel to it. */
    ManagedChannel inProcess(BindableService service) {
        String name = InProcessServerBuilder.generateName();
        try {
            register(InProcessServerBuilder.forName(name).addService(service).build().start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return register(InProcessChannelBuilder.forName(name).build());
    }

    /** Serves {@code provider} in-process, closing it after the test; returns a channel to it. */
    ManagedChannel inProcess(MetricProviderServer provider) {
        register(provider);
        return inProcess(provider.bindableService());
    }

    /** Waits until {@code condition} holds, failing after a generous timeout; never a fixed sleep. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20); // a polling step, not a guess at how long something takes
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
