package io.externalmetrics.adapter;

import io.externalmetrics.adapter.check.CheckProvider;
import io.externalmetrics.adapter.config.AdapterConfig;
import io.externalmetrics.adapter.config.ConfigException;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.logging.LogOutput;
import io.helidon.logging.common.LogConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** Command line entry point: {@code java -jar externalmetrics-adapter-all.jar --config adapter.yaml}. */
public final class Main {

    static final String USAGE = """
            Usage: externalmetrics-adapter --config FILE
                   externalmetrics-adapter check-provider HOST:PORT [options]   (check-provider --help)

            Serves the Kubernetes external metrics API (external.metrics.k8s.io/v1beta1) over HTTPS,
            with values fetched from gRPC metric providers.

            Options:
              --config FILE   the YAML configuration (server, providers); see README.md
              --help          print this help and exit

            Minimal configuration:
              providers:
                - name: example
                  target: 127.0.0.1:50051
            """;

    /** How often the configuration file is checked for changes. */
    static final Duration CONFIG_POLL = Duration.ofSeconds(2);
    /**
     * The exit code when stopping took longer than {@code server.shutdownGrace}; a stop within it ends
     * as the JVM ends on a signal, 128 + the signal's number (143 for SIGTERM).
     */
    static final int EXIT_GRACE_EXCEEDED = 1;

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs until the JVM is asked to stop; returns a process exit code on bad arguments or configuration. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.length > 0 && args[0].equals(CheckProvider.COMMAND)) {
            return CheckProvider.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("--config needs a file name");
                        return 2;
                    }
                    configFile = Path.of(args[++i]);
                }
                default -> {
                    if (args[i].startsWith("--config=")) {
                        configFile = Path.of(args[i].substring("--config=".length()));
                    } else {
                        err.println("unknown argument \"" + args[i] + "\"\n");
                        err.print(USAGE);
                        return 2;
                    }
                }
            }
        }
        if (configFile == null) {
            err.println("--config FILE is required\n");
            err.print(USAGE);
            return 2;
        }
        AdapterConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            err.println("invalid configuration: " + e.getMessage());
            return 2;
        }
        LogConfig.configureRuntime();
        LogOutput.install(config.logFormat());
        PrintStream console = LogOutput.console(config.logFormat(), out, Main.class.getName());
        Adapter adapter;
        try {
            adapter = Adapter.start(config, Clock.systemUTC());
        } catch (RuntimeException e) {
            err.println("cannot start: " + e.getMessage());
            return 1;
        }
        // the hook first: whoever reads the "serving" line below may signal at once, and must see "stopped"
        var stopped = new CountDownLatch(1);
        Duration grace = config.server().shutdownGrace();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop(adapter, grace, console, err);
            stopped.countDown();
        }, "externalmetrics-shutdown"));
        console.println("externalmetrics adapter serving https://" + config.server().address() + ":" + adapter.port()
                + " for providers " + config.providers().stream().map(p -> p.name() + " (" + p.target() + ")").toList()
                + (adapter.selfSignedCertificatePem().isPresent() ? " with a self-signed certificate" : ""));
        adapter.watchConfig(configFile, CONFIG_POLL);
        stopped.await();
        return 0;
    }

    /**
     * On SIGTERM (the JVM's shutdown): closes the adapter (no new connections, requests under way
     * finish, provider channels closed), and halts the JVM if that takes longer than {@code grace},
     * so that the process is gone before Kubernetes' own grace period ends in a SIGKILL. Prints to
     * {@code out} rather than logging: the JDK's logging may already be shut down by its own hook.
     */
    static void stop(Adapter adapter, Duration grace, PrintStream out, PrintStream err) {
        out.println("externalmetrics adapter stopping: refusing new connections; requests under way have up to "
                + Durations.format(grace) + " to finish");
        long started = System.nanoTime();
        Thread closing = Thread.ofPlatform().name("externalmetrics-close").start(adapter::close);
        try {
            if (!closing.join(grace)) {
                err.println("externalmetrics adapter did not stop within server.shutdownGrace ("
                        + Durations.format(grace) + "): exiting now, cutting short what was under way");
                Runtime.getRuntime().halt(EXIT_GRACE_EXCEEDED);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.println("externalmetrics adapter stopped in "
                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
    }
}
