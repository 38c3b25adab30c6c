package io.externalmetrics.examples.javaprovider;

import io.externalmetrics.provider.EventTrigger;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.MetricRequest;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The seed's example on the provider SDK.
 *
 * <ul>
 *   <li>{@code incrementable}, for all namespaces, polled every second: base value counter A,
 *       series {@code some-key=A}, {@code some-key=B}, {@code some-key=C}. Each second A grows by
 *       1, B by 5, and C shrinks by 1.</li>
 *   <li>{@code pushed}, for all namespaces, pushed: a count that grows every 5 seconds, each time
 *       announced to the adapter with {@link EventTrigger#fire()}.</li>
 * </ul>
 *
 * <p>An HPA reads them as {@code
 * /apis/external.metrics.k8s.io/v1beta1/namespaces/default/incrementable?labelSelector=some-key=A}.
 */
public final class ExampleProvider {

    static final String INCREMENTABLE = "incrementable";
    static final String PUSHED = "pushed";
    static final int TICKS_PER_PUSH = 5;
    private static final Duration TICK = Duration.ofSeconds(1);

    /** The seed's counters; replaced as a whole on each tick, so a fetch never sees half a tick. */
    record Counters(long a, long b, long c) {
        Counters next() {
            return new Counters(a + 1, b + 5, c - 1);
        }
    }

    private final AtomicReference<Counters> counters = new AtomicReference<>(new Counters(0, 0, 0));
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong pushes = new AtomicLong();
    private final EventTrigger pushed = Trigger.onEvent();

    /**
     * Runs the example provider until SIGTERM or Ctrl-C.
     *
     * @param args {@code [--port N] [--address HOST] [--tls-cert FILE --tls-key FILE [--client-ca FILE]] [--help]}
     * @throws InterruptedException if interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(Options.USAGE);
            return;
        }

        var provider = new ExampleProvider();
        MetricProviderServer server;
        try {
            var builder = MetricProviderServer.builder()
                    .address(options.address())
                    .port(options.port());
            if (options.tlsCert().isPresent()) {
                builder.tls(options.tlsCert().get(), options.tlsKey().orElseThrow());
            }
            options.clientCa().ifPresent(builder::requireClientCertificates);
            server = provider.register(builder).build().start();
        } catch (UncheckedIOException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ticker").daemon().factory());
        ticker.scheduleAtFixedRate(provider::tick, TICK.toMillis(), TICK.toMillis(),
                TimeUnit.MILLISECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ticker.shutdownNow();
            server.close();
        }, "shutdown"));

        System.out.printf("example provider listening on %s:%d (metrics \"%s\" every %ds and \"%s\""
                        + " on event, namespace \"*\")%n",
                hostForDisplay(options.address()), server.port(), INCREMENTABLE, TICK.toSeconds(),
                PUSHED);
        server.awaitTermination();
    }

    /** Registers this provider's metrics. */
    MetricProviderServer.Builder register(MetricProviderServer.Builder builder) {
        return builder
                .addMetric(Namespace.ALL, INCREMENTABLE, Trigger.every(TICK),
                        this::someIncrementingMetric)
                .addMetric(Namespace.ALL, PUSHED, pushed, this::pushedMetric);
    }

    /** The seed's {@code someIncrementingMetric}. */
    Value someIncrementingMetric(MetricRequest request) {
        Counters c = counters.get();
        return Value.of(c.a())
                .withSelector("some-key", "A", c.a())
                .withSelector("some-key", "B", c.b())
                .withSelector("some-key", "C", c.c());
    }

    Value pushedMetric(MetricRequest request) {
        return Value.of(pushes.get());
    }

    /** One second passed: moves the counters, and every fifth time pushes a change. */
    void tick() {
        counters.updateAndGet(Counters::next);
        if (ticks.incrementAndGet() % TICKS_PER_PUSH == 0) {
            pushes.incrementAndGet(); // the new value first, so the adapter's fetch sees it
            pushed.fire();
        }
    }

    private static String hostForDisplay(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }
}
