package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.grpc.ForwardingChannelBuilder2;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ProviderManagerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ProviderConfig provider(String name, int port, String deadline) {
        return ConfigLoader.parse("""
                providers:
                  - name: %s
                    target: 127.0.0.1:%d
                    deadline: %s
                    metrics: [{name: m, interval: 50ms, maxAge: 1m}]
                """.formatted(name, port, deadline)).providers().getFirst();
    }

    @Test
    void update_whenANewChannelCannotBeBuilt_changesNothing_andAppliesALaterUpdate() {
        var channels = new CopyOnWriteArrayList<ManagedChannel>();
        Function<ProviderConfig, ManagedChannel> builder = config -> {
            ManagedChannel channel = Grpc.newChannelBuilder(config.target(), InsecureChannelCredentials.create())
                    .build();
            channels.add(channel);
            return channel;
        };
        var cache = new MetricCache(Clock.systemUTC());
        try (FakeProvider a = FakeProvider.start(0).value("m", 1);
             var manager = ProviderManager.start(List.of(provider("a", a.port(), "1s")), cache, Clock.systemUTC(),
                     builder)) {
            Await.until("a fetch", WAIT, () -> a.fetches("m") > 0);
            ProviderConfig changed = provider("a", a.port(), "2s");

            assertThatThrownBy(() -> manager.update(List.of(changed, ProviderConfig.of("bad", "foo bar:1"))))
                    .isInstanceOf(IllegalArgumentException.class);

            assertThat(cache.providers()).extracting(ProviderState::name).containsExactly("a");
            long fetches = a.fetches("m");
            Await.until("a still refreshing", WAIT, () -> a.fetches("m") > fetches + 2);
            assertThat(channels).as("only the original channel is open")
                    .filteredOn(c -> !c.isShutdown()).containsExactly(channels.getFirst());

            manager.update(List.of(changed));
            long restarted = a.fetches("m");
            Await.until("the changed a refreshing", WAIT, () -> a.fetches("m") > restarted + 2);
            assertThat(channels).hasSize(3).filteredOn(c -> !c.isShutdown()).containsExactly(channels.getLast());
        }
    }

    @Test
    void configure_appliesTheProvidersReplyLimitAndKeepAlive() {
        ProviderConfig config = ConfigLoader.parse("""
                providers: [{name: a, target: '127.0.0.1:1', maxReplyBytes: 1234, keepAlive: 30s}]
                """).providers().getFirst();
        var builder = new RecordingBuilder();

        ProviderManager.configure(builder, config);

        assertThat(builder.settings).containsEntry("maxInboundMessageSize", 1234)
                .containsEntry("keepAliveTime", Duration.ofSeconds(30))
                .containsEntry("keepAliveTimeout", Duration.ofSeconds(20))
                .containsEntry("keepAliveWithoutCalls", false);
    }

    /** Records the settings it is given. */
    private static final class RecordingBuilder extends ForwardingChannelBuilder2<RecordingBuilder> {
        final Map<String, Object> settings = new HashMap<>();
        private final ManagedChannelBuilder<?> delegate =
                Grpc.newChannelBuilder("127.0.0.1:1", InsecureChannelCredentials.create());

        @Override
        protected ManagedChannelBuilder<?> delegate() {
            return delegate;
        }

        @Override
        public RecordingBuilder maxInboundMessageSize(int bytes) {
            settings.put("maxInboundMessageSize", bytes);
            return super.maxInboundMessageSize(bytes);
        }

        @Override
        public RecordingBuilder keepAliveTime(long time, TimeUnit unit) {
            settings.put("keepAliveTime", Duration.of(time, unit.toChronoUnit()));
            return super.keepAliveTime(time, unit);
        }

        @Override
        public RecordingBuilder keepAliveTimeout(long time, TimeUnit unit) {
            settings.put("keepAliveTimeout", Duration.of(time, unit.toChronoUnit()));
            return super.keepAliveTimeout(time, unit);
        }

        @Override
        public RecordingBuilder keepAliveWithoutCalls(boolean enable) {
            settings.put("keepAliveWithoutCalls", enable);
            return super.keepAliveWithoutCalls(enable);
        }
    }
}
