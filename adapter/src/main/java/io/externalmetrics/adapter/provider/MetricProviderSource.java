package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.SynchronizationContext;
import io.grpc.stub.ClientCalls;
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
        this.fetchers = fetchers(MetricProviderGrpc.newBlockingStub(channel), ReplyRules.of(config));
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
     * The Fetch calls of a provider: one prepared request per metric, its reply read straight into the
     * sample's compact form ({@link FetchReplyReader}) and checked by {@link FetchResponses}.
     */
    static Fetchers fetchers(MetricProviderGrpc.MetricProviderBlockingStub stub, ReplyRules replies) {
        MethodDescriptor<FetchRequest, FetchReply> fetch = FetchReplyReader.fetchMethod(replies.limits());
        return info -> {
            FetchRequest request = FetchRequest.newBuilder().setMetric(Protos.ref(info.key())).build();
            return deadline -> {
                FetchReply reply = ClientCalls.blockingUnaryCall(stub.getChannel(), fetch,
                        stub.getCallOptions().withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS), request);
                return receivedAt -> FetchResponses.toSample(info.key().name(), reply, receivedAt, replies);
            };
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
