package io.externalmetrics.bench;

import io.externalmetrics.provider.EventTrigger;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Series;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A provider of synthetic metrics for {@code bench/run}: {@code --metrics M} metrics named
 * {@code <prefix>-0} to {@code <prefix>-(M-1)}, each with {@code --series S} series of
 * {@code --labels L} labels, refreshed every {@code --interval} seconds, for every namespace.
 *
 * <p>Series {@code i} has the labels {@code shard=<i>} (unique), then {@code group=<i/10>} (so a
 * selector {@code group=g} matches 10 series), then {@code label-<k>=value-<i mod 7>} up to L labels.
 * The numbers are fixed: a bench measures serving, not the values.
 *
 * <p>For the refresh bench: {@code --interval-ms} sets the interval in milliseconds instead;
 * {@code --push P} adds P push metrics {@code <prefix>-push-0} to {@code <prefix>-push-(P-1)} (same
 * value), fired in turn by one thread at {@code --fire-rate R} events per second in all (0: as fast as
 * it can); {@code --stats-ms T} prints {@code stats fetches=F fired=E sent=S} every T ms (totals since
 * start: fetches answered, push events fired, Watch events sent; see {@link ServedCounts}).
 */
public final class BenchProvider {

    static final Set<String> OPTIONS = Set.of("port", "prefix", "metrics", "series", "labels", "interval",
            "interval-ms", "push", "fire-rate", "stats-ms");
    static final String USAGE = "usage: java -cp externalmetrics-bench-*-all.jar io.externalmetrics.bench.BenchProvider"
            + " [--port N] [--prefix bench] [--metrics 1] [--series 3] [--labels 1] [--interval 30]"
            + " [--interval-ms N] [--push 0] [--fire-rate 0] [--stats-ms 0]";
    // as MetricProviderServer.start() allows: the adapter may ping its long-lived Watch streams
    private static final long PERMITTED_KEEPALIVE_SECONDS = 10;
    /** Series with the same {@code group} label. */
    static final int GROUP_SIZE = 10;

    private BenchProvider() {
    }

    /**
     * Serves the metrics until SIGTERM; prints the port it listens on, on 127.0.0.1.
     *
     * @param args see {@link #USAGE}
     * @throws InterruptedException if interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        Args parsed;
        try {
            parsed = Args.parse(OPTIONS, args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        String prefix = parsed.string("prefix", "bench");
        int metrics = parsed.integer("metrics", 1, 1);
        int labels = parsed.integer("labels", 1, 1);
        Value value = value(parsed.integer("series", 3, 0), labels);
        var counts = new ServedCounts();
        // its functions return a constant: run them on the gRPC thread that took the call, as the
        // server below does its handlers, so the provider's own thread hand-offs do not take the
        // cores the adapter under test shares with it
        var builder = MetricProviderServer.builder().executor(Runnable::run);
        Duration interval = parsed.has("interval-ms")
                ? Duration.ofMillis(parsed.integer("interval-ms", 1000, 1))
                : Duration.ofSeconds(parsed.integer("interval", 30, 1));
        Trigger every = Trigger.every(interval);
        for (int n = 0; n < metrics; n++) {
            builder.addMetric(Namespace.ALL, prefix + "-" + n, every, request -> {
                counts.fetched();
                return value;
            });
        }
        List<EventTrigger> pushed = new ArrayList<>();
        for (int n = 0; n < parsed.integer("push", 0, 0); n++) {
            EventTrigger trigger = Trigger.onEvent();
            pushed.add(trigger);
            builder.addMetric(Namespace.ALL, prefix + "-push-" + n, trigger, request -> {
                counts.fetched();
                return value;
            });
        }
        MetricProviderServer provider = builder.build();
        // served here rather than by provider.start(), to count the Watch events sent
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", parsed.integer("port", 0, 0)))
                .permitKeepAliveTime(PERMITTED_KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .directExecutor()
                .addService(ServerInterceptors.intercept(provider.bindableService(), counts))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("stats").daemon().factory());
        int statsMillis = parsed.integer("stats-ms", 0, 0);
        if (statsMillis > 0) {
            timers.scheduleAtFixedRate(() -> System.out.println(counts.line()), statsMillis, statsMillis,
                    TimeUnit.MILLISECONDS);
        }
        if (!pushed.isEmpty()) {
            int rate = parsed.integer("fire-rate", 0, 0);
            Thread.ofPlatform().name("fire").daemon().start(() -> fire(pushed, rate, counts));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            timers.shutdownNow();
            provider.close(); // ends the Watch streams first
            server.shutdownNow();
        }, "shutdown"));
        System.out.printf("bench provider listening on 127.0.0.1:%d (%d metrics %s-N, %d series of %d labels)%n",
                server.getPort(), metrics, prefix, value.series().size(), labels);
        server.awaitTermination();
    }

    /**
     * Fires the triggers in turn, forever: {@code rate} in all per second (paced each millisecond),
     * or as fast as one thread can when {@code rate} is 0.
     */
    static void fire(List<EventTrigger> triggers, int rate, ServedCounts counts) {
        long start = System.nanoTime();
        long fired = 0;
        int next = 0;
        while (!Thread.currentThread().isInterrupted()) {
            long due = rate == 0 ? fired + triggers.size() : (System.nanoTime() - start) / 1000 * rate / 1_000_000;
            if (fired >= due) {
                LockSupport.parkNanos(1_000_000);
                continue;
            }
            for (; fired < due; fired++) {
                triggers.get(next).fire();
                counts.fired();
                next = next + 1 == triggers.size() ? 0 : next + 1;
            }
        }
    }

    /** The value every metric serves: base number 1 and {@code series} series. */
    static Value value(int series, int labels) {
        List<Series> all = new ArrayList<>(series);
        for (int i = 0; i < series; i++) {
            all.add(new Series(labels(i, labels), i));
        }
        return Value.of(1).withSeries(all);
    }

    /** The labels of series {@code i}, in order: shard, group, then label-2 and on. */
    static Map<String, String> labels(int i, int count) {
        var labels = new LinkedHashMap<String, String>();
        labels.put("shard", Integer.toString(i));
        if (count > 1) {
            labels.put("group", Integer.toString(i / GROUP_SIZE));
        }
        for (int k = 2; k < count; k++) {
            labels.put("label-" + k, "value-" + (i % 7));
        }
        return labels;
    }
}
