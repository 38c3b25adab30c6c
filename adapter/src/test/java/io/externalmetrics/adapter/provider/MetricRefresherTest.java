package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricRefresherTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final MetricKey KEY = new MetricKey("*", "m");

    private final CountDownLatch release = new CountDownLatch(1);
    private final FakeProvider provider = FakeProvider.start(0).metric("m", request -> {
        release.await();
        return FetchResponse.newBuilder().setValue(5).build();
    });
    private final ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + provider.port(),
            InsecureChannelCredentials.create()).build();
    private final ExecutorService fetches = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MetricCache cache = new MetricCache(Clock.systemUTC());
    private final MetricInfo info = new MetricInfo(KEY, "p", new TriggerSpec.Interval(Duration.ofMinutes(1)),
            Duration.ofMinutes(3), OnErrorPolicy.error());

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        fetches.shutdownNow();
        scheduler.shutdownNow();
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        provider.close();
    }

    private MetricRefresher refresher() {
        return refresher(Clock.systemUTC());
    }

    /** @param clock the clock a fetch reads when its reply arrives */
    private MetricRefresher refresher(Clock clock) {
        cache.registerProvider("p", List.of(info));
        var context = new MetricRefresher.Context(MetricProviderGrpc.newBlockingStub(channel), cache, fetches,
                scheduler, new Semaphore(1), clock,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), RandomGenerator.getDefault()),
                ReplyRules.of(ProviderConfig.of("p", "127.0.0.1:1")), new MetricRefresher.Listener() {
                    @Override
                    public void succeeded() {
                    }

                    @Override
                    public void failed(Status.Code code) {
                    }
                });
        return new MetricRefresher(info, Duration.ofSeconds(10), context);
    }

    /** Waits until the fetch that was in flight has finished and anything it would write is written. */
    private void awaitFetchThread() throws InterruptedException {
        fetches.shutdown();
        assertThat(fetches.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void close_duringAFetch_theLateReplyIsNotRecorded() throws InterruptedException {
        MetricRefresher refresher = refresher();
        refresher.trigger();
        Await.until("the fetch in flight", WAIT, () -> provider.fetches("m") == 1);

        refresher.close();
        release.countDown();
        awaitFetchThread();

        assertThat(cache.state(KEY).orElseThrow().sample()).isEmpty();
        assertThat(cache.state(KEY).orElseThrow().failure()).isEmpty();
    }

    @Test
    void close_thenTheChannelShutsDown_theCancelledFetchIsNotRecordedAsAFailure() throws InterruptedException {
        MetricRefresher refresher = refresher();
        refresher.trigger();
        Await.until("the fetch in flight", WAIT, () -> provider.fetches("m") == 1);

        refresher.close();
        channel.shutdownNow(); // what a provider restart does to the old channel
        awaitFetchThread();

        assertThat(cache.state(KEY).orElseThrow().failure()).isEmpty();
    }

    @Test
    void withoutClose_theReplyIsRecorded() throws InterruptedException {
        MetricRefresher refresher = refresher();
        refresher.trigger();
        Await.until("the fetch in flight", WAIT, () -> provider.fetches("m") == 1);

        release.countDown();
        Await.until("the value", WAIT, () -> cache.state(KEY).orElseThrow().sample().isPresent());
    }

    @Test
    void aReplyTooBigForTheHeap_isAFailureThatIsRetried_notAFetchThreadLost() {
        var firstTime = new AtomicBoolean(true);
        Clock outOfMemoryOnce = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                if (firstTime.getAndSet(false)) {
                    throw new OutOfMemoryError("Java heap space"); // as building a huge reply's sample does
                }
                return Instant.now();
            }
        };
        release.countDown();
        MetricRefresher refresher = refresher(outOfMemoryOnce);
        refresher.trigger();

        Await.until("the failure", WAIT, () -> cache.state(KEY).orElseThrow().failure().isPresent());
        assertThat(cache.state(KEY).orElseThrow().failure().orElseThrow().message())
                .contains("did not fit in the adapter's heap").contains("-Xmx");
        Await.until("the value of the retry", WAIT, () -> cache.state(KEY).orElseThrow().sample().isPresent());
    }
}
