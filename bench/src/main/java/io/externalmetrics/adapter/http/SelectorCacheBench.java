package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.k8s.LabelSelector;
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
 * What the values route's {@link SelectorCache} buys: a request's {@code labelSelector} parsed every
 * time, against the same text taken from the cache (the HPA repeats its selector every read). Each
 * operation gets the text as a new string, as each request decodes its own, so the cache pays for
 * hashing and comparing it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SelectorCacheBench {

    @Param({"group=7", "app=web,tier in (a,b),!canary,version!=3"})
    public String selector;

    private final SelectorCache cache = new SelectorCache();
    private char[] text;

    @Setup
    public void setUp() {
        text = selector.toCharArray();
    }

    @Benchmark
    public LabelSelector parseEveryTime() {
        return LabelSelector.parse(String.valueOf(text));
    }

    @Benchmark
    public LabelSelector cached() {
        return cache.parse(String.valueOf(text));
    }
}
