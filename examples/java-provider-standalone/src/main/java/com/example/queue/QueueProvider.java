package com.example.queue;

import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.MetricRequest;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Serves {@code queue-depth}, for every namespace: how many jobs wait, in total and per priority
 * ({@code priority=high}, {@code priority=low}). An HPA scales workers on it.
 */
public final class QueueProvider {

    static final String QUEUE_DEPTH = "queue-depth";

    private final Queue<Job> jobs = new ConcurrentLinkedQueue<>();

    /** A job waiting in the queue. */
    record Job(String name, boolean high) {
    }

    /**
     * Serves the metric until stopped.
     *
     * @param args {@code [--port N]}, default 50051; 0 picks a free port
     * @throws InterruptedException if interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length == 2 && args[0].equals("--port") ? Integer.parseInt(args[1]) : 50051;
        var provider = new QueueProvider();
        provider.jobs.add(new Job("resize-images", true)); // something to see in a demo
        var server = provider.register(MetricProviderServer.builder().port(port)).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("queue provider listening on 127.0.0.1:" + server.port());
        server.awaitTermination();
    }

    /** Registers the metric; tests register it on a builder of their own. */
    MetricProviderServer.Builder register(MetricProviderServer.Builder builder) {
        return builder.addMetric(Namespace.ALL, QUEUE_DEPTH, Trigger.every(Duration.ofSeconds(5)), this::depth);
    }

    void add(Job job) {
        jobs.add(job);
    }

    Value depth(MetricRequest request) {
        long high = jobs.stream().filter(Job::high).count();
        long low = jobs.size() - high;
        return Value.of(high + low)
                .withSelector("priority", "high", high)
                .withSelector("priority", "low", low);
    }
}
