package io.externalmetrics.bench;

import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Series;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A provider of synthetic metrics for {@code bench/run}: {@code --metrics M} metrics named
 * {@code <prefix>-0} to {@code <prefix>-(M-1)}, each with {@code --series S} series of
 * {@code --labels L} labels, refreshed every {@code --interval} seconds, for every namespace.
 *
 * <p>Series {@code i} has the labels {@code shard=<i>} (unique), then {@code group=<i/10>} (so a
 * selector {@code group=g} matches 10 series), then {@code label-<k>=value-<i mod 7>} up to L labels.
 * The numbers are fixed: a bench measures serving, not the values.
 */
public final class BenchProvider {

    static final Set<String> OPTIONS = Set.of("port", "prefix", "metrics", "series", "labels", "interval");
    static final String USAGE = "usage: java -cp externalmetrics-bench-*-all.jar io.externalmetrics.bench.BenchProvider"
            + " [--port N] [--prefix bench] [--metrics 1] [--series 3] [--labels 1] [--interval 30]";
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
        var builder = MetricProviderServer.builder()
                .address("127.0.0.1")
                .port(parsed.integer("port", 0, 0));
        Trigger every = Trigger.every(Duration.ofSeconds(parsed.integer("interval", 30, 1)));
        for (int n = 0; n < metrics; n++) {
            builder.addMetric(Namespace.ALL, prefix + "-" + n, every, request -> value);
        }
        MetricProviderServer server = builder.build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        System.out.printf("bench provider listening on 127.0.0.1:%d (%d metrics %s-N, %d series of %d labels)%n",
                server.port(), metrics, prefix, value.series().size(), labels);
        server.awaitTermination();
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
