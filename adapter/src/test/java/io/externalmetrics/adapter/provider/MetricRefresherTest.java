package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.Series;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
        toClose.forEach(Runnable::run);
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
        return new MetricRefresher(info, Duration.ofSeconds(10), context(clock, fetches));
    }

    private MetricRefresher.Context context(Clock clock, Executor executor) {
        return context(channel, clock, executor, Duration.ofSeconds(1), 1);
    }

    /**
     * @param retry   the wait before a failed fetch is tried again (no jitter below it)
     * @param permits fetches in flight at once
     */
    private MetricRefresher.Context context(Channel channel, Clock clock, Executor executor, Duration retry,
                                            int permits) {
        return new MetricRefresher.Context(channel, cache, executor,
                scheduler, new Bulkhead(permits), clock, new Backoff(retry, retry, RandomGenerator.getDefault()),
                ReplyRules.of(ProviderConfig.of("p", "127.0.0.1:1")), NO_LISTENER);
    }

    private static final MetricRefresher.Listener NO_LISTENER = new MetricRefresher.Listener() {
        @Override
        public void succeeded() {
        }

        @Override
        public void failed(Status.Code code) {
        }
    };

    /**
     * An in-process provider whose Fetch answers OK with {@code reply} as the message's bytes, or with no
     * message at all: what no generated server sends, but a hand-written one or a proxy may.
     */
    private ManagedChannel rawProvider(Optional<byte[]> reply) throws IOException {
        MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(byte[] value) {
                return new ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(InputStream stream) {
                try {
                    return stream.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        var fetch = MetricProviderGrpc.getFetchMethod();
        ServerCallHandler<FetchRequest, byte[]> handler = (call, headers) -> {
            call.request(1);
            return new ServerCall.Listener<>() {
                @Override
                public void onHalfClose() {
                    call.sendHeaders(new Metadata());
                    reply.ifPresent(call::sendMessage);
                    call.close(Status.OK, new Metadata());
                }
            };
        };
        String name = InProcessServerBuilder.generateName();
        Server server = InProcessServerBuilder.forName(name).directExecutor()
                // server-streaming on this side: grpc-java's server would refuse to end a unary call without a
                // message, as servers of other languages need not; the stream on the wire is the same
                .addService(ServerServiceDefinition.builder(MetricProviderGrpc.SERVICE_NAME)
                        .addMethod(fetch.toBuilder(fetch.getRequestMarshaller(), bytes)
                                .setType(MethodDescriptor.MethodType.SERVER_STREAMING).build(), handler)
                        .build())
                .build().start();
        ManagedChannel raw = InProcessChannelBuilder.forName(name).directExecutor().build();
        toClose.add(() -> {
            raw.shutdownNow();
            server.shutdownNow();
        });
        return raw;
    }

    private final List<Runnable> toClose = new CopyOnWriteArrayList<>();

    /** Waits until the fetch that was in flight has ended and anything it would write is written. */
    private static void awaitFetchEnded(MetricRefresher refresher) {
        Await.until("the fetch in flight ended", WAIT, () -> !refresher.fetching());
    }

    @Test
    void close_duringAFetch_theLateReplyIsNotRecorded() {
        MetricRefresher refresher = refresher();
        refresher.trigger();
        Await.until("the fetch in flight", WAIT, () -> provider.fetches("m") == 1);

        refresher.close();
        release.countDown();
        awaitFetchEnded(refresher);

        assertThat(cache.state(KEY).orElseThrow().sample()).isEmpty();
        assertThat(cache.state(KEY).orElseThrow().failure()).isEmpty();
    }

    @Test
    void close_thenTheChannelShutsDown_theCancelledFetchIsNotRecordedAsAFailure() {
        MetricRefresher refresher = refresher();
        refresher.trigger();
        Await.until("the fetch in flight", WAIT, () -> provider.fetches("m") == 1);

        refresher.close();
        channel.shutdownNow(); // what a provider restart does to the old channel
        awaitFetchEnded(refresher);

        assertThat(cache.state(KEY).orElseThrow().failure()).isEmpty();
    }

    @Test
    void withoutClose_theReplyIsRecorded() {
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

    @Test
    void aSmallReply_isRecordedOnGrpcsThread_aBigReplyAndFailures_areHandedToTheFetchExecutor() {
        var heldBack = new CopyOnWriteArrayList<Runnable>(); // the fetch executor: runs nothing until told
        var small = new MetricInfo(new MetricKey("*", "small"), "p", info.trigger(), info.maxAge(), info.onError());
        var big = new MetricInfo(new MetricKey("*", "big"), "p", info.trigger(), info.maxAge(), info.onError());
        var failing = new MetricInfo(new MetricKey("*", "failing"), "p", info.trigger(), info.maxAge(),
                info.onError());
        var invalid = new MetricInfo(new MetricKey("*", "invalid"), "p", info.trigger(), info.maxAge(),
                info.onError());
        var bigReply = FetchResponse.newBuilder();
        for (int i = 0; i < 2000; i++) {
            bigReply.addSeries(Series.newBuilder().putLabels("shard", "shard-" + i).setValue(i));
        }
        assertThat(bigReply.build().getSerializedSize()).isGreaterThan(MetricRefresher.INLINE_REPLY_BYTES);
        provider.value("small", 1).metric("big", request -> bigReply.build())
                .failing("failing", Status.UNAVAILABLE.withDescription("down")).value("invalid", Double.NaN);
        cache.registerProvider("p", List.of(small, big, failing, invalid));
        // retried only after the test: a retry's failure would be held back too, leaving it fetching
        // a place in line each: a reply handed over holds its place until it is read
        MetricRefresher.Context context = context(channel, Clock.systemUTC(), heldBack::add, Duration.ofHours(1),
                4);
        List<MetricRefresher> refreshers = List.of(new MetricRefresher(big, Duration.ofSeconds(10), context),
                new MetricRefresher(failing, Duration.ofSeconds(10), context),
                new MetricRefresher(invalid, Duration.ofSeconds(10), context),
                new MetricRefresher(small, Duration.ofSeconds(10), context));

        refreshers.forEach(MetricRefresher::trigger);

        Await.until("the small reply, read where it arrived", WAIT,
                () -> cache.state(small.key()).orElseThrow().sample().isPresent());
        Await.until("the big reply and the failures, handed over", WAIT, () -> heldBack.size() == 3);
        assertThat(cache.state(big.key()).orElseThrow().sample()).as("not read on gRPC's thread").isEmpty();
        assertThat(cache.state(failing.key()).orElseThrow().failure()).as("not logged on gRPC's thread").isEmpty();
        assertThat(cache.state(invalid.key()).orElseThrow().failure()).as("a small invalid reply: neither").isEmpty();

        heldBack.forEach(Runnable::run);

        assertThat(cache.state(big.key()).orElseThrow().sample().orElseThrow().series()).hasSize(2000);
        assertThat(cache.state(failing.key()).orElseThrow().failure().orElseThrow().message()).contains("down");
        assertThat(cache.state(invalid.key()).orElseThrow().failure().orElseThrow().message()).contains("NaN");
        assertThat(refreshers).noneMatch(MetricRefresher::fetching);
    }

    @Test
    void aReplyOkWithoutAMessage_isAnInvalidReply_andTheMetricIsFetchedAgain() throws IOException {
        cache.registerProvider("p", List.of(info));
        var refresher = new MetricRefresher(info, Duration.ofSeconds(10),
                context(rawProvider(Optional.empty()), Clock.systemUTC(), fetches, Duration.ofMillis(10), 1));

        refresher.trigger();

        Await.until("the failure", WAIT, () -> cache.state(KEY).orElseThrow().failure().isPresent());
        assertThat(cache.state(KEY).orElseThrow().failure().orElseThrow().message())
                .contains("Fetch ended OK without a FetchResponse");
        Await.until("the retry after it", WAIT, () -> refresher.fetches() >= 3);
    }

    @Test
    void replyBytesThatAreNoMessage_areAnInvalidReply() throws IOException {
        cache.registerProvider("p", List.of(info));
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff}; // a field tag that never ends
        var refresher = new MetricRefresher(info, Duration.ofSeconds(10),
                context(rawProvider(Optional.of(garbage)), Clock.systemUTC(), fetches, Duration.ofHours(1), 1));

        refresher.trigger();

        Await.until("the failure", WAIT, () -> cache.state(KEY).orElseThrow().failure().isPresent());
        assertThat(cache.state(KEY).orElseThrow().failure().orElseThrow().message())
                .contains("no FetchResponse message");
    }

    @Test
    void aFetchThatThrowsAsItStarts_isAFailureThatIsRetried_andFreesItsPlaceInLine() {
        cache.registerProvider("p", List.of(info));
        var starts = new AtomicInteger();
        MetricSource.Fetchers throwing = metric -> (deadline, done) -> {
            if (starts.incrementAndGet() == 1) {
                throw new OutOfMemoryError("Java heap space"); // as a call's start may, out of memory
            }
            done.replied(new MetricSource.Reply() {
                @Override
                public Sample toSample(Instant receivedAt) {
                    return Sample.of("m", OptionalDouble.of(5), List.of(), receivedAt, false, Optional.empty());
                }

                @Override
                public long bytes() {
                    return 0;
                }
            });
        };
        var retry = Duration.ofMillis(10);
        var context = new MetricRefresher.Context(throwing, cache, fetches, scheduler, new Bulkhead(1),
                Clock.systemUTC(), new Backoff(retry, retry, RandomGenerator.getDefault()), NO_LISTENER,
                System::nanoTime, ProviderEvents.NONE);
        var refresher = new MetricRefresher(info, Duration.ofSeconds(10), context);

        refresher.trigger();

        Await.until("the retry's value", WAIT, () -> cache.state(KEY).orElseThrow().sample().isPresent());
        assertThat(starts).hasValue(2);
        Await.until("the fetch ended", WAIT, () -> !refresher.fetching());
    }
}
