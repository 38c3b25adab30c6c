package io.externalmetrics.adapter.k8s;

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
 * Formatting a provider's number as a Kubernetes quantity: done once per series per refresh, so it is
 * part of what a fetch costs. Integers, decimals, tiny and huge numbers take different paths.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class QuantityBench {

    @Param({"42", "2000", "1.5", "123.456", "1.0E-10", "1.23E-7", "1.0E22", "9.87654321E30"})
    public String value;

    private double number;

    @Setup
    public void setUp() {
        number = Double.parseDouble(value);
    }

    @Benchmark
    public String format() {
        return Quantity.format(number);
    }
}
