package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.SynchronizationContext;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * The adapter's own protocol, {@code externalmetrics.v1.MetricProvider}: Describe lists the metrics
 * ({@link DescribeCalls}), Fetch computes one, Watch announces changes of push metrics
 * ({@link WatchSession}).
 */
final class MetricProviderSource implements MetricSource {

    private final ProviderConfig config;
    private final DescribeCalls describe;
    private final WatchSession watch;
    private final Fetchers fetchers;

    MetricProviderSource(ProviderConfig config, Channel channel, SynchronizationContext sync,
                         ProviderManager.Environment env, Backoff backoff, Listener listener) {
        this.config = config;
        var stub = MetricProviderGrpc.newStub(channel);
        this.fetchers = fetchers(channel, ReplyRules.of(config));
        this.describe = new DescribeCalls(config.name(), config.target(), stub, config.deadline(), sync,
                env.scheduler(), env.ticker(), backoff, new DescribeCalls.Listener() {
                    @Override
                    public void described(DescribeResponse reply) {
                        DescribeResponses.MetricSet described = DescribeResponses.toMetricSet(reply, config);
                        listener.learned(described, described.status());
                    }

                    @Override
                    public void unimplemented() {
                        listener.unlisted();
                    }

                    @Override
                    public void failing(String why) {
                        listener.failing(why);
                    }
                });
        this.watch = new WatchSession(config.name(), stub, sync, env.scheduler(), env.ticker(), backoff,
                config.retry().max(), new WatchSession.Listener() {
                    @Override
                    public void opened() {
                        listener.watchOpened(watch.watched());
                    }

                    @Override
                    public void changed(MetricKey key) {
                        listener.changed(key);
                    }

                    @Override
                    public void reconnecting() {
                        listener.watchReconnecting();
                    }
                });
    }

    /**
     * The Fetch calls of a provider: one prepared request per metric, each call started without blocking and
     * heard on gRPC's own thread (no thread waits for a reply, and none is woken to take it over); the reply
     * is read into the sample's compact form ({@link FetchReplyReader}) and checked by {@link FetchResponses}
     * when {@link MetricSource.Reply#toSample} is called, on whichever thread the caller chooses.
     */
    static Fetchers fetchers(Channel channel, ReplyRules replies) {
        MethodDescriptor<FetchRequest, byte[]> fetch = FetchReplyReader.fetchMethod();
        return info -> {
            FetchRequest request = FetchRequest.newBuilder().setMetric(Protos.ref(info.key())).build();
            String name = info.key().name();
            return (deadline, done) -> ClientCalls.asyncUnaryCall(channel.newCall(fetch, CallOptions.DEFAULT
                            .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                            .withExecutor(Runnable::run)),
                    request, new StreamObserver<>() {
                        private byte[] reply;

                        @Override
                        public void onNext(byte[] value) {
                            reply = value;
                        }

                        @Override
                        public void onError(Throwable t) {
                            done.failed(t);
                        }

                        @Override
                        public void onCompleted() {
                            byte[] bytes = reply;
                            if (bytes == null) {
                                // gRPC's async unary call lets a server end OK without a message
                                done.failed(new InvalidReplyException("Fetch ended OK without a FetchResponse"));
                                return;
                            }
                            done.replied(new Reply() {
                                @Override
                                public Sample toSample(Instant receivedAt) {
                                    return FetchResponses.toSample(name, FetchReplyReader.readReply(bytes,
                                            replies.limits()), receivedAt, replies);
                                }

                                @Override
                                public long bytes() {
                                    return bytes.length;
                                }
                            });
                        }
                    });
        };
    }

    @Override
    public void learn() {
        describe.start();
    }

    @Override
    public boolean watches(MetricInfo info) {
        return info.trigger() instanceof TriggerSpec.Push;
    }

    @Override
    public void watch(Collection<MetricInfo> metrics) {
        watch.watch(metrics.stream().filter(this::watches).map(MetricInfo::key).toList());
    }

    @Override
    public boolean watchUnimplemented() {
        return watch.unimplemented();
    }

    @Override
    public Fetchers fetchers() {
        return fetchers;
    }

    @Override
    public void stop(String why) {
        describe.stop();
        watch.stop(why);
    }

    @Override
    public String toString() {
        return "metricProvider " + config.name();
    }
}
