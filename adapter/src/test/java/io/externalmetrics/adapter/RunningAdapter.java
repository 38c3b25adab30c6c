package io.externalmetrics.adapter;

import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.provider.EventTrigger;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A real adapter on a random HTTPS port of 127.0.0.1, fed by a real SDK provider over gRPC on
 * loopback: the seed's metric shape with fixed numbers, a metric only in {@code default}, and a push
 * metric whose value the test changes.
 */
final class RunningAdapter implements AutoCloseable {

    final AtomicLong pushed = new AtomicLong(1);
    final EventTrigger pushEvents = Trigger.onEvent();
    final MetricProviderServer provider;
    final TestAdapter adapter;

    RunningAdapter() {
        provider = MetricProviderServer.builder()
                .port(0)
                .addMetric(Namespace.ALL, "incrementable", Trigger.every(Duration.ofMillis(200)),
                        request -> Value.of(1.5)
                                .withSelector("some-key", "A", 1.5)
                                .withSelector("some-key", "B", 2000)
                                .withSelector("some-key", "C", -3))
                .addMetric(Namespace.DEFAULT, "only-default", Trigger.every(Duration.ofMillis(200)),
                        request -> Value.of(42))
                .addMetric(Namespace.ALL, "pushed", pushEvents, request -> Value.of(pushed.get()))
                .build()
                .start();
        adapter = TestAdapter.withProviders("""
                  - name: example
                    target: 127.0.0.1:%d
                """.formatted(provider.port()));
        Await.until("every metric to have a value", Duration.ofSeconds(30), () -> Stream.of("incrementable",
                "only-default", "pushed").allMatch(metric -> adapter.read(metric).statusCode() == 200));
    }

    String url(String pathAndQuery) {
        return adapter.url(pathAndQuery);
    }

    HttpClient client(HttpClient.Version version) {
        return adapter.client(version);
    }

    @Override
    public void close() {
        adapter.close();
        provider.close();
    }
}
