package io.externalmetrics.adapter.check;

import io.externalmetrics.adapter.provider.ProviderRules;
import io.externalmetrics.adapter.security.TlsSetupException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * {@code externalmetrics-adapter check-provider HOST:PORT [options]}: runs the provider contract
 * against a provider and prints what each rule found (see {@link CheckOptions#USAGE}).
 */
public final class CheckProvider {

    /** The subcommand's name, the first argument. */
    public static final String COMMAND = "check-provider";

    private CheckProvider() {
    }

    /**
     * Runs the check with the arguments after {@value #COMMAND}.
     *
     * @return the exit code: 0 nothing failed, 1 a rule failed, 2 the provider could not be reached
     *         or the arguments are wrong
     */
    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        CheckOptions options;
        try {
            options = CheckOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("check-provider: " + e.getMessage() + "\n");
            err.print(CheckOptions.USAGE);
            return Report.EXIT_UNREACHABLE;
        }
        if (options.help()) {
            out.print(CheckOptions.USAGE);
            return 0;
        }
        Report report = check(options);
        out.print(options.json() ? report.json() : report.text());
        out.flush();
        return report.exitCode();
    }

    private static Report check(CheckOptions options) throws InterruptedException {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("check-provider-scheduler").daemon().factory());
        ExecutorService calls = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("check-provider-", 0).factory());
        try {
            ProviderRules.Channel channel;
            try {
                channel = ProviderRules.open(options.providerConfig(), scheduler, calls);
            } catch (TlsSetupException | IllegalArgumentException e) {
                // a TLS file that does not read, a target gRPC cannot use: nothing was reached
                return new Report(options.target(), Optional.of(e.getMessage()), List.of());
            }
            try (channel) {
                var checker = new ProviderChecker(channel.channel(), options, calls, Clock.systemUTC());
                return new Report(options.target(), Optional.empty(), checker.run());
            } catch (ProviderChecker.CannotConnect e) {
                return new Report(options.target(), Optional.of(e.getMessage()), List.of());
            }
        } finally {
            scheduler.shutdownNow();
            calls.shutdownNow();
        }
    }
}
