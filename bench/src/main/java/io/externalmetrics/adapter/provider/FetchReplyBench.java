package io.externalmetrics.adapter.provider;

import com.google.protobuf.InvalidProtocolBufferException;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.Series;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a fetch costs from the reply's bytes, as gRPC hands them over, to the encoded, indexed sample:
 * {@code series} series with BenchProvider's three labels ({@code shard}, {@code group}, {@code label-2}).
 * {@link #reader}: the adapter's way, the bytes read straight into the sample's compact form, each distinct
 * label checked once. {@link #message}: protobuf's message parsed first and handed to
 * {@link FetchResponses#toSample(String, FetchResponse, Instant, ReplyRules)}, the way of every fetch before
 * the reader (which that method now reads again from the message's bytes).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FetchReplyBench {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @Param({"3", "10000"})
    public int series;

    private byte[] bytes;
    private ReplyRules rules;

    @Setup
    public void setUp() {
        var reply = FetchResponse.newBuilder();
        for (int i = 0; i < series; i++) {
            reply.addSeries(Series.newBuilder().putLabels("shard", String.valueOf(i))
                    .putLabels("group", String.valueOf(i / 10)).putLabels("label-2", "value-" + i % 7).setValue(i));
        }
        bytes = reply.build().toByteArray();
        rules = new ReplyRules("bench", new ReplyLimits(series, 64), Duration.ofSeconds(30));
    }

    @Benchmark
    public Sample reader() throws InvalidProtocolBufferException {
        return FetchResponses.toSample("bench-0", FetchReplyReader.read(bytes, rules.limits()), NOW, rules);
    }

    @Benchmark
    public Sample message() throws InvalidProtocolBufferException {
        return FetchResponses.toSample("bench-0", FetchResponse.parseFrom(bytes), NOW, rules);
    }
}
