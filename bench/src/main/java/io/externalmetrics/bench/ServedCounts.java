package io.externalmetrics.bench;

import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link BenchProvider} did, for {@code bench/sections/refresh.sh}: fetches it answered, push
 * events it fired, and Watch events it sent (fewer than fired when the SDK coalesced events for a
 * stream that could not take them yet). The adapter took exactly the events sent.
 */
final class ServedCounts implements ServerInterceptor {

    private final LongAdder fetches = new LongAdder();
    private final LongAdder fired = new LongAdder();
    private final LongAdder sent = new LongAdder();

    /** A metric function answered a Fetch. */
    void fetched() {
        fetches.increment();
    }

    /** A push metric's trigger fired. */
    void fired() {
        fired.increment();
    }

    /** One line, {@code stats fetches=F fired=E sent=S}, with the totals since start. */
    String line() {
        return "stats fetches=" + fetches.sum() + " fired=" + fired.sum() + " sent=" + sent.sum();
    }

    /** Counts every message sent on a Watch stream. */
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                       ServerCallHandler<Q, A> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (!method.equals(MetricProviderGrpc.getWatchMethod().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(A message) {
                sent.increment();
                super.sendMessage(message);
            }
        }, headers);
    }
}
