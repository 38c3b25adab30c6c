package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.ReadResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The values route's answer to a read of a metric nobody serves ({@code bench/run}'s target (d)): the
 * 404 {@code Status} with its message, after the cache's lookup missed. On this benchmark's thread, and
 * on a new virtual thread per answer, as Helidon serves each request (what a thread keeps from one answer
 * to the next, such as a JSON library's thread-local buffers, helps only the first); the difference
 * between the two beyond starting a thread is what a request pays for not reusing them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NotFoundBench {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private ApiHandler handler;
    private ReadResult miss;

    @Setup
    public void setUp() {
        var cache = new MetricCache(Clock.fixed(NOW, ZoneOffset.UTC));
        cache.updateProvider(new ProviderState("many", "127.0.0.1:50051", true, "Describe listed 10000 metrics",
                ProviderState.Connectivity.READY, NOW));
        handler = new ApiHandler(cache, () -> true, Map::of, Clock.fixed(NOW, ZoneOffset.UTC));
        miss = cache.read("default", "no-such-metric", Optional.empty());
        if (!(miss instanceof ReadResult.NotFound)) {
            throw new IllegalStateException("expected a miss, got " + miss);
        }
    }

    @Benchmark
    public ApiHandler.ValuesAnswer notFoundAnswer() {
        return handler.answer("default", "no-such-metric", Optional.empty(), miss);
    }

    @Benchmark
    public ApiHandler.ValuesAnswer notFoundAnswerOnANewVirtualThread() throws InterruptedException {
        var answer = new AtomicReference<ApiHandler.ValuesAnswer>();
        Thread.ofVirtual().start(() -> answer.set(notFoundAnswer())).join();
        return answer.get();
    }

    @Benchmark
    public void newVirtualThreadAlone() throws InterruptedException {
        Thread.ofVirtual().start(() -> { }).join();
    }
}
