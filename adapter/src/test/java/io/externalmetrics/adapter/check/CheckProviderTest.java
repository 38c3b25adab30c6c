package io.externalmetrics.adapter.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.Series;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import io.grpc.Context;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code check-provider} against real gRPC providers on 127.0.0.1: one that keeps the contract passes
 * every rule; each one that breaks a rule fails (a "must") or warns (a "should") with that rule named.
 */
class CheckProviderTest {

    /** Every rule a provider with an interval and a push metric is checked against. */
    private static final List<String> ALL_RULES = List.of("describe", "descriptor", "describe-unique", "deadline",
            "reply", "fetch-namespaced", "not-found", "error-message", "concurrent", "watch", "watch-first-event");

    @RegisterExtension
    final Closer closer = new Closer();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(String... args) throws InterruptedException {
        return CheckProvider.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private ContractProvider start(ContractProvider provider) {
        return closer.register(provider.start());
    }

    /** The lines of {@code verdict} for {@code rule}. */
    private List<String> lines(String verdict, String rule) {
        return out().lines().filter(line -> line.matches(verdict + " +" + rule + " .*")).toList();
    }

    private List<String> lines(String verdict) {
        return out().lines().filter(line -> line.startsWith(verdict + " ")).toList();
    }

    // ---- the contract kept

    @Test
    void keptContract_everyRulePasses_exitsZero() throws Exception {
        ContractProvider provider = start(new ContractProvider());

        int exit = check(provider.target());

        assertThat(exit).as(out()).isZero();
        assertThat(lines("FAIL")).isEmpty();
        assertThat(lines("WARN")).isEmpty();
        for (String rule : ALL_RULES) {
            assertThat(lines("PASS", rule)).as("PASS lines of %s in\n%s", rule, out()).isNotEmpty();
        }
        assertThat(lines("PASS", "reply")).containsExactly(
                "PASS  reply                 */m: the adapter serves this reply (a value, 2 series): finite values, "
                        + "label syntax, distinct label sets, limits and observed_at checked",
                "PASS  reply                 */p: the adapter serves this reply (a value, 0 series): finite values, "
                        + "label syntax, distinct label sets, limits and observed_at checked");
        assertThat(lines("PASS", "watch-first-event")).singleElement().asString().contains("*/p");
        assertThat(out()).endsWith("check-provider " + provider.target() + ": " + lines("PASS").size()
                + " passed, 0 warnings, 0 failed\n");
    }

    @Test
    void sdkProvider_everyRulePasses() throws Exception {
        var pushed = Trigger.onEvent();
        MetricProviderServer sdk = closer.register(MetricProviderServer.builder()
                .address("127.0.0.1")
                .port(0)
                .addMetric(Namespace.ALL, "polled", Trigger.every(Duration.ofSeconds(1)), request -> Value.of(1))
                .addMetric(Namespace.ALL, "pushed", pushed, request -> Value.of(2))
                .build()
                .start());

        int exit = check("127.0.0.1:" + sdk.port());

        assertThat(exit).as(out()).isZero();
        assertThat(lines("FAIL")).isEmpty();
        assertThat(lines("WARN")).isEmpty();
        assertThat(lines("PASS", "watch-first-event")).singleElement().asString().contains("*/pushed");
    }

    // ---- the contract broken: each rule named

    static Stream<Arguments> brokenProviders() {
        return Stream.of(
                broken("a NaN value", p -> p.replyingToM(r -> r.setValue(Double.NaN)),
                        "reply-finite", "*/m: the adapter rejects this reply and serves nothing: value is NaN"),
                broken("an infinite series value", p -> p.replyingToM(r -> r.setSeries(0,
                                Series.newBuilder().putLabels("k", "a").setValue(Double.POSITIVE_INFINITY))),
                        "reply-finite", "series 0 {k=a} is Infinity"),
                broken("an invalid label key", p -> p.replyingToM(r -> r.addSeries(
                                Series.newBuilder().putLabels("bad key!", "x").setValue(1))),
                        "reply-labels", "series 2: label key \"bad key!\""),
                broken("an invalid label value", p -> p.replyingToM(r -> r.addSeries(
                                Series.newBuilder().putLabels("k", "-dash").setValue(1))),
                        "reply-labels", "series 2: label \"k\" value \"-dash\""),
                broken("two series with the same labels", p -> p.replyingToM(r -> r.addSeries(
                                Series.newBuilder().putLabels("k", "a").setValue(7))),
                        "reply-unique-series", "series 2 repeats the labels {k=a}"),
                broken("more series than the limit", p -> p.replyingToM(r -> {
                            for (int i = 0; i < 10_000; i++) {
                                r.addSeries(Series.newBuilder().putLabels("n", "s" + i).setValue(i));
                            }
                            return r;
                        }),
                        "reply-limits", "10002 series, more than the limit of 10000"),
                broken("an observed_at in year 10000", p -> p.replyingToM(r -> r.setObservedAt(
                                com.google.protobuf.Timestamp.newBuilder().setSeconds(253_402_300_800L))),
                        "reply-observed-at", "observed_at 253402300800s is outside years 0001 to 9999"),
                broken("a negative window", p -> p.replyingToM(r -> r.setWindow(
                                com.google.protobuf.Duration.newBuilder().setSeconds(-60))),
                        "reply-window", "window is negative"),
                broken("Fetch ignoring the deadline", p -> p.fetching(request -> {
                            if (request.getMetric().getName().equals("m")) {
                                untilCancelled();
                            }
                            return ContractProvider.keep(request);
                        }),
                        "deadline", "*/m: no answer within the 200ms deadline the adapter sets",
                        List.of("--deadline", "200ms")),
                broken("Describe listing a metric twice", p -> p.describing(Optional.of(List.of(
                                ContractProvider.M, ContractProvider.P, ContractProvider.M))),
                        "describe-unique", "Describe: metric */m is listed more than once"),
                broken("Describe listing a metric twice, in another case", p -> p.describing(Optional.of(List.of(
                                ContractProvider.M, ContractProvider.P, ContractProvider.M.toBuilder()
                                        .setMetric(MetricRef.newBuilder().setNamespace("*").setName("M")).build()))),
                        "describe-unique", "Describe: metric */M is listed more than once"),
                broken("a descriptor whose name has a slash", p -> p.describing(Optional.of(List.of(
                                ContractProvider.M, ContractProvider.P, ContractProvider.M.toBuilder()
                                        .setMetric(MetricRef.newBuilder().setNamespace("*").setName("a/b")).build()))),
                        "descriptor", "metric \"a/b\" in namespace \"*\" is skipped by the adapter"),
                broken("a descriptor with a 1ns interval", p -> p.describing(Optional.of(List.of(
                                ContractProvider.M.toBuilder().setInterval(
                                        com.google.protobuf.Duration.newBuilder().setNanos(1)).build(),
                                ContractProvider.P))),
                        "descriptor-durations", "interval must be at least 10ms, got 1ns"),
                broken("Fetch of an unknown metric answering OK", p -> p.fetching(request -> {
                            try {
                                return ContractProvider.keep(request);
                            } catch (io.grpc.StatusRuntimeException e) {
                                return FetchResponse.newBuilder().setValue(0).build();
                            }
                        }),
                        "not-found", "*/check-provider-no-such-metric: Fetch of a metric this provider does not "
                                + "serve answered OK"),
                broken("Fetch of an unknown metric answering INTERNAL", p -> p.fetching(request -> {
                            if (request.getMetric().getName().startsWith("check-provider")) {
                                throw Status.INTERNAL.withDescription("boom").asRuntimeException();
                            }
                            return ContractProvider.keep(request);
                        }),
                        "not-found", "answered INTERNAL (\"boom\"): answer NOT_FOUND"),
                broken("Fetch of a described metric failing", p -> p.fetching(request -> {
                            if (request.getMetric().getName().equals("p")
                                    && request.getMetric().getNamespace().equals("*")) {
                                throw Status.UNAVAILABLE.withDescription("backend down").asRuntimeException();
                            }
                            return ContractProvider.keep(request);
                        }),
                        "fetch", "*/p: Fetch answered UNAVAILABLE (\"backend down\")"),
                broken("a * metric crashing under a concrete namespace", p -> p.fetching(request -> {
                            if (request.getMetric().getNamespace().equals("default")
                                    && request.getMetric().getName().equals("m")) {
                                throw Status.UNKNOWN.withDescription("NullPointerException").asRuntimeException();
                            }
                            return ContractProvider.keep(request);
                        }),
                        "fetch-namespaced", "default/m: Fetch of m under namespace \"default\" answered UNKNOWN"),
                broken("one Fetch at a time", CheckProviderTest::oneFetchAtATime,
                        "concurrent", "RESOURCE_EXHAUSTED (\"busy\")"));
    }

    /** Refuses a Fetch while another is under way, as a provider with a single worker would. */
    private static void oneFetchAtATime(ContractProvider provider) {
        var inFlight = new AtomicInteger();
        var refused = new CountDownLatch(1);
        provider.fetching(request -> {
            if (inFlight.incrementAndGet() > 1) {
                inFlight.decrementAndGet();
                refused.countDown();
                throw Status.RESOURCE_EXHAUSTED.withDescription("busy").asRuntimeException();
            }
            try {
                // the one worker is busy with this call until a second one was turned away (100 ms at most,
                // so that a Fetch on its own answers well within its deadline)
                refused.await(100, TimeUnit.MILLISECONDS);
                return ContractProvider.keep(request);
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    /** Answers nothing until the caller gives up on the call at its deadline, as a provider ignoring it does. */
    private static void untilCancelled() throws InterruptedException {
        var cancelled = new CountDownLatch(1);
        Context.current().addListener(context -> cancelled.countDown(), Runnable::run);
        cancelled.await();
    }

    private static Arguments broken(String what, Consumer<ContractProvider> breakIt, String rule, String message) {
        return Arguments.of(what, breakIt, rule, message, List.of());
    }

    private static Arguments broken(String what, Consumer<ContractProvider> breakIt, String rule, String message,
                                    List<String> options) {
        return Arguments.of(what, breakIt, rule, message, options);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenProviders")
    void brokenContract_failsTheRuleNamed_exitsOne(String what, Consumer<ContractProvider> breakIt, String rule,
                                                   String message, List<String> options) throws Exception {
        var provider = new ContractProvider();
        breakIt.accept(provider);
        start(provider);
        List<String> args = new ArrayList<>(List.of(provider.target()));
        args.addAll(options);

        int exit = check(args.toArray(String[]::new));

        assertThat(exit).as(out()).isEqualTo(1);
        assertThat(lines("FAIL")).as("only %s fails", rule).isNotEmpty().isEqualTo(lines("FAIL", rule));
        assertThat(lines("FAIL", rule)).as(out()).anySatisfy(line -> assertThat(line).contains(message));
        Rule broken = Arrays.stream(Rule.values()).filter(r -> r.id().equals(rule)).findFirst().orElseThrow();
        assertThat(lines("FAIL", rule)).allSatisfy(line -> assertThat(line)
                .endsWith("  [provider.proto, " + broken.where() + ": \"" + broken.quote() + "\"]"));
        assertThat(out().lines().toList().getLast()).endsWith(" failed (exit code 1)");
    }

    // ---- the "should"s: warnings, exit 0

    @Test
    void watchUnimplemented_withAPushMetric_warns() throws Exception {
        ContractProvider provider = start(new ContractProvider().withoutWatch());

        assertThat(check(provider.target())).as(out()).isZero();
        assertThat(lines("WARN", "watch")).singleElement().asString()
                .contains("Watch: UNIMPLEMENTED: push metrics [*/p] are only polled")
                .contains("\"Watch: optional, though a provider with push metrics should implement it.");
        assertThat(lines("FAIL")).isEmpty();
    }

    @Test
    void watchStreamEndedRightAfterItsFirstEvents_warns_evenWithAPlainCancelled() throws Exception {
        for (Status end : List.of(Status.OK, Status.CANCELLED)) {
            ContractProvider provider = start(new ContractProvider().endingWatch(end));

            assertThat(check(provider.target())).as(out()).isZero();
            assertThat(lines("WARN", "watch")).as(end.toString()).singleElement().asString()
                    .contains("Watch: the stream ended within 5s with " + (end.isOk() ? "OK" : "CANCELLED"));
            out.reset();
        }
    }

    @Test
    void noFirstEventOnAWatchStream_warnsAfterTheWatchTime() throws Exception {
        ContractProvider provider = start(new ContractProvider().withoutFirstEvents());

        assertThat(check(provider.target(), "--watch", "300ms")).as(out()).isZero();
        assertThat(lines("WARN", "watch-first-event")).singleElement().asString()
                .contains("*/p: no event within 300ms of the stream opening")
                .contains("\"A provider should send one event per watched metric as a stream opens\"");
        assertThat(lines("PASS", "watch")).singleElement().asString().contains("the stream is open");
    }

    @Test
    void notFoundWithoutAMessage_warns() throws Exception {
        ContractProvider provider = start(new ContractProvider().fetching(request -> {
            if (request.getMetric().getName().startsWith("check-provider")) {
                throw Status.NOT_FOUND.asRuntimeException();
            }
            return ContractProvider.keep(request);
        }));

        assertThat(check(provider.target())).as(out()).isZero();
        assertThat(lines("PASS", "not-found")).hasSize(1);
        assertThat(lines("WARN", "error-message")).singleElement().asString().contains("NOT_FOUND came without a "
                + "message");
    }

    @Test
    void observedAtAnHourAhead_warnsOfTheClock() throws Exception {
        ContractProvider provider = start(new ContractProvider().replyingToM(r -> r.setObservedAt(
                com.google.protobuf.Timestamp.newBuilder().setSeconds(Instant.now().plusSeconds(3600)
                        .getEpochSecond()))));

        assertThat(check(provider.target())).as(out()).isZero();
        assertThat(lines("WARN", "clock-skew")).singleElement().asString()
                .contains("*/m: observed_at is ")
                .contains("ahead of this machine's clock, beyond the allowance of 30s");
    }

    @Test
    void observedAtInMillisecondsReadAsSeconds_warnsThatEveryValueIsStale() throws Exception {
        long millisAsSeconds = Instant.now().toEpochMilli() / 1000 - 365L * 24 * 3600; // a year old
        ContractProvider provider = start(new ContractProvider().replyingToM(r -> r.setObservedAt(
                com.google.protobuf.Timestamp.newBuilder().setSeconds(millisAsSeconds))));

        assertThat(check(provider.target())).as(out()).isZero();
        assertThat(lines("WARN", "reply-fresh")).singleElement().asString()
                .contains("*/m: observed_at is ")
                .contains("old, beyond the metric's max age of 30s: the adapter serves it as stale");
    }

    @Test
    void replyTheAdapterCannotConvert_failsTheReplyRule_insteadOfEndingTheCheck() throws Exception {
        ContractProvider provider = start(new ContractProvider().replyingToM(r -> r.setWindow(
                com.google.protobuf.Duration.newBuilder().setSeconds(Long.MIN_VALUE).setNanos(-1))));

        assertThat(check(provider.target())).as(out()).isEqualTo(1);
        assertThat(lines("FAIL", "reply")).isNotEmpty();
    }

    // ---- Describe UNIMPLEMENTED, --metric

    @Test
    void describeUnimplemented_checksTheMetricsNamed() throws Exception {
        ContractProvider provider = start(new ContractProvider().describing(Optional.empty()));

        assertThat(check(provider.target(), "--metric", "*/m")).as(out()).isZero();
        assertThat(lines("PASS", "describe")).singleElement().asString()
                .contains("UNIMPLEMENTED: checking the --metric list");
        assertThat(lines("PASS", "reply")).singleElement().asString().startsWith("PASS  reply                 */m: ");
        assertThat(lines("PASS", "watch")).singleElement().asString().contains("no push metrics");
    }

    @Test
    void describeUnimplemented_withoutMetrics_failsSayingWhatToGive() throws Exception {
        ContractProvider provider = start(new ContractProvider().describing(Optional.empty()));

        assertThat(check(provider.target())).as(out()).isEqualTo(1);
        assertThat(lines("FAIL", "describe")).singleElement().asString()
                .contains("name the metrics the adapter's configuration lists for this provider with --metric");
    }

    @Test
    void metricOption_narrowsToTheMetricsNamed_andFailsOneDescribeDoesNotList() throws Exception {
        ContractProvider provider = start(new ContractProvider());

        assertThat(check(provider.target(), "--metric", "*/p", "--metric", "team-a/x")).as(out()).isEqualTo(1);
        assertThat(lines("PASS", "reply")).singleElement().asString().contains("*/p: ");
        assertThat(out()).doesNotContain("*/m:");
        assertThat(lines("FAIL", "describe")).singleElement().asString()
                .contains("team-a/x: --metric team-a/x is not among the metrics Describe lists ([*/m, */p])");
    }

    // ---- reaching the provider

    @Test
    void nothingListening_cannotConnect_exitsTwo() throws Exception {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        assertThat(check("127.0.0.1:" + port)).isEqualTo(2);
        assertThat(out()).isEqualTo("cannot check 127.0.0.1:" + port + ": could not connect: UNAVAILABLE (\"io "
                + "exception\"); is the provider running and listening there, without TLS (give --tls or --ca-file "
                + "for one with TLS)?\ncheck-provider 127.0.0.1:" + port + ": not reached (exit code 2)\n");
    }

    @Test
    void tlsProvider_checkedWithItsCa_passes_andWithoutTls_cannotConnect(@TempDir Path dir) throws Exception {
        TestPki.Issued ca = TestPki.ca("provider CA");
        TestPki.Issued server = ca.issue("provider", "provider.local");
        MetricProviderServer sdk = closer.register(MetricProviderServer.builder()
                .address("127.0.0.1")
                .port(0)
                .tls(server.writeCertificate(dir.resolve("server.crt")), server.writeKey(dir.resolve("server.key")))
                .addMetric(Namespace.ALL, "m", Trigger.every(Duration.ofSeconds(1)), request -> Value.of(1))
                .build()
                .start());
        String target = "127.0.0.1:" + sdk.port();

        assertThat(check(target, "--ca-file", ca.writeCertificate(dir.resolve("ca.crt")).toString(),
                "--server-name", "provider.local")).as(out()).isZero();
        assertThat(lines("PASS", "reply")).singleElement().asString().contains("*/m: ");

        out.reset();
        assertThat(check(target)).isEqualTo(2);
        assertThat(out()).contains("could not connect: UNAVAILABLE");
    }

    @Test
    void missingCaFile_isNamed_exitsTwo(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing-ca.crt");

        assertThat(check("127.0.0.1:1", "--ca-file", missing.toString())).isEqualTo(2);
        assertThat(out()).contains("cannot check 127.0.0.1:1: ").contains(missing.toString());
    }

    @Test
    void targetGrpcCannotUse_isNamed_exitsTwo() throws Exception {
        assertThat(check("foo bar:1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("check-provider: target \"foo bar:1\" is not "
                + "a target gRPC can use");
    }

    // ---- the command line

    @Test
    void json_isOneObjectWithEveryFindingTheSummaryAndTheExitCode() throws Exception {
        ContractProvider provider = start(new ContractProvider().replyingToM(r -> r.setValue(Double.NaN)));

        assertThat(check(provider.target(), "--json")).isEqualTo(1);

        JsonNode json = new ObjectMapper().readTree(out());
        assertThat(json.get("target").asText()).isEqualTo(provider.target());
        assertThat(json.get("connected").asBoolean()).isTrue();
        assertThat(json.get("exitCode").asInt()).isEqualTo(1);
        List<JsonNode> failed = new ArrayList<>();
        json.get("results").forEach(r -> {
            assertThat(r.fieldNames()).toIterable()
                    .containsExactly("rule", "verdict", "subject", "message", "must", "proto", "quote");
            if (r.get("verdict").asText().equals("FAIL")) {
                failed.add(r);
            }
        });
        assertThat(failed).singleElement().satisfies(r -> {
            assertThat(r.get("rule").asText()).isEqualTo("reply-finite");
            assertThat(r.get("subject").asText()).isEqualTo("*/m");
            assertThat(r.get("message").asText()).contains("value is NaN");
            assertThat(r.get("must").asBoolean()).isTrue();
            assertThat(r.get("quote").asText()).startsWith("Values must be finite");
        });
        assertThat(json.at("/summary/fail").asInt()).isEqualTo(1);
        assertThat(json.at("/summary/pass").asInt()).isEqualTo(json.get("results").size() - 1);
    }

    @Test
    void json_whenNotReached_saysWhy() throws Exception {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        assertThat(check("127.0.0.1:" + port, "--json")).isEqualTo(2);

        JsonNode json = new ObjectMapper().readTree(out());
        assertThat(json.get("connected").asBoolean()).isFalse();
        assertThat(json.get("error").asText()).startsWith("could not connect: UNAVAILABLE");
        assertThat(json.get("results")).isEmpty();
        assertThat(json.get("exitCode").asInt()).isEqualTo(2);
    }

    @Test
    void usageErrors_areNamed_exitTwo() throws Exception {
        assertThat(check()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("check-provider: the provider's HOST:PORT is "
                + "required\n");
        err.reset();
        assertThat(check("127.0.0.1:1", "--metric", "m")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("check-provider: --metric \"m\": write "
                + "NAMESPACE/NAME, e.g. \"*/m\"");
        err.reset();
        assertThat(check("127.0.0.1:1", "--cert-file", "c.crt")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("check-provider: tls: --cert-file is given "
                + "without --key-file");
        err.reset();
        assertThat(check("127.0.0.1:1", "--deadline", "soon")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("check-provider: \"soon\" is not a duration");
        err.reset();
        assertThat(check("localhost")).as("the configuration's own rule for targets").isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("check-provider: target \"localhost\" has no "
                + "port (gRPC would use port 80)");
    }

    @Test
    void help_printsTheOptions() throws Exception {
        assertThat(check("--help")).isZero();
        assertThat(out()).startsWith("Usage: externalmetrics-adapter check-provider HOST:PORT [options]")
                .contains("--metric NS/NAME", "--json", "--ca-file FILE", "--deadline DURATION", "--watch DURATION");
    }
}
