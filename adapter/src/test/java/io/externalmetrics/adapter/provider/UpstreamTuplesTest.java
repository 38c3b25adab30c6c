package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.ReadEvents;
import io.externalmetrics.adapter.cache.ReadResult;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.adapter.testing.TestClock;
import io.externalmetrics.adapter.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.logging.Level;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code externalMetricsApi} provider's tuples against a scripted HTTPS upstream on 127.0.0.1 (a raw
 * TLS socket answering HTTP/1.1 as told), for what a real server will not do: stall, send odd bodies.
 */
class UpstreamTuplesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** An upstream's answer: one item of {@code s0-queue}. */
    static final String LIST = """
            {"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},
             "items":[{"metricName":"s0-queue","metricLabels":{"queue":"orders"},
                       "timestamp":"2026-01-01T00:00:00Z","value":"3"}]}""";
    private static final String NO_SUCH_METRIC = "{\"kind\":\"Status\",\"message\":\"no such metric\"}";
    /**
     * Settings of tuples refreshed on the real scheduler, often enough for a test to see refreshes; the
     * deadline is long enough for a first TLS handshake on a busy machine.
     */
    private static final String REAL_TIME = "deadline: 10s\ninterval: 100ms\n";

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path dir;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService fetchThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final MetricCache cache = new MetricCache(Clock.systemUTC());

    @AfterEach
    void stopThreads() {
        scheduler.shutdownNow();
        fetchThreads.shutdownNow();
    }

    /** The tuples of a provider forwarding {@code s0-*} to {@code upstream}, with {@code more} settings. */
    private ForwardedTuples tuples(RawUpstream upstream, String more) {
        return tuples(upstream, "1s", more);
    }

    private ForwardedTuples tuples(RawUpstream upstream, String deadline, String more) {
        return tuples(upstream, deadline, more, fetchThreads);
    }

    /** With fetches run by {@code fetchExecutor}. */
    private ForwardedTuples tuples(RawUpstream upstream, String deadline, String more, Executor fetchExecutor) {
        return tuples(upstream, deadline, more, fetchExecutor, config -> new UpstreamClient(config,
                UpstreamClient.sslContext(config, Optional.empty()), fetchThreads));
    }

    /** With the client {@code clients} makes. */
    private ForwardedTuples tuples(RawUpstream upstream, String deadline, String more, Executor fetchExecutor,
                                   Function<ProviderConfig, UpstreamClient> clients) {
        var env = new ProviderManager.Environment(scheduler, fetchExecutor, Clock.systemUTC(), System::nanoTime);
        return tuples(upstream, "deadline: " + deadline + "\ninterval: 100ms\n" + more, env, clients);
    }

    /** In {@code env} (its scheduler, fetch executor and clock), with {@code settings} (deadline, interval...). */
    private ForwardedTuples tuples(RawUpstream upstream, String settings, ProviderManager.Environment env) {
        return tuples(upstream, settings, env, config -> new UpstreamClient(config,
                UpstreamClient.sslContext(config, Optional.empty()), fetchThreads));
    }

    private ForwardedTuples tuples(RawUpstream upstream, String settings, ProviderManager.Environment env,
                                   Function<ProviderConfig, UpstreamClient> clients) {
        ProviderConfig config = config(upstream, settings);
        return closer.register(new ForwardedTuples(config, clients.apply(config), Optional.empty(), cache, env));
    }

    /** A provider named upstream forwarding {@code s0-*} to {@code upstream}, unverified, with {@code settings}. */
    static ProviderConfig config(RawUpstream upstream, String settings) {
        return ConfigLoader.parse("""
                server: {address: 127.0.0.1, port: 0}
                providers:
                  - name: upstream
                    protocol: externalMetricsApi
                    target: https://127.0.0.1:%d
                    insecureSkipTLSVerify: true
                    forward: ["s0-*"]
                %s""".formatted(upstream.port(), settings.indent(4))).providers().getFirst();
    }

    /** A read as the cache makes it, its policy answers not counted. */
    private static ReadResult read(ForwardedTuples tuples, String namespace, String metric,
                                   Optional<LabelSelector> selector) {
        return tuples.read(namespace, metric, selector, ReadEvents.NONE);
    }

    private static String message(ReadResult result) {
        return switch (result) {
            case ReadResult.Unavailable u -> "503 " + u.why();
            case ReadResult.NotFound n -> "404 " + n.why();
            case ReadResult.Refused r -> r.code() + " " + r.why();
            case ReadResult.Found f -> "200 " + new String(f.body(), StandardCharsets.UTF_8);
        };
    }

    @Test
    void tokenWithALineBreakInside_isRefusedNamingTheFile_withoutTheTokenInAnyAnswerOrLogLine() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.ok(LIST)));
        Path token = Files.writeString(dir.resolve("token"), "secret-part-one\r\nsecret-part-two\n");
        try (LogRecords logs = LogRecords.of(ForwardedTuples.class.getName())) {
            ForwardedTuples tuples = tuples(upstream, "tokenFile: " + token);

            String answer = message(read(tuples, "default", "s0-queue", Optional.empty()));

            assertThat(answer).startsWith("503 ").contains("tokenFile " + token).doesNotContain("secret-part");
            Await.until("the provider's summary to name the failure", WAIT,
                    () -> cache.providers().getFirst().describe().contains("tokenFile"));
            assertThat(cache.providers().getFirst().describe()).doesNotContain("secret-part");
            assertThat(logs.atLeast(Level.ALL)).noneMatch(line -> line.contains("secret-part"));
            assertThat(upstream.requests()).isEmpty();
        }
    }

    @Test
    void upstreamSendingHeadersThenStalling_failsTheFetchAtTheDeadline_andTheTupleIsFetchedAgain() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.headersThenStall()));
        ForwardedTuples tuples = tuples(upstream, "");

        read(tuples, "default", "s0-queue", Optional.empty());

        Await.until("the stalled fetch to fail and the tuple to be fetched again", WAIT,
                () -> upstream.requests().size() >= 2);
        Await.until("the failure to be answered", WAIT,
                () -> message(read(tuples, "default", "s0-queue", Optional.empty())).contains("no answer within 1s"));
        assertThat(message(read(tuples, "default", "s0-queue", Optional.empty())))
                .startsWith("503 provider \"upstream\" failing since");
    }

    @Test
    void manyNewTuplesAtOnce_areFetchedAtMost32AtATime() throws Exception {
        var answering = new CountDownLatch(1);
        RawUpstream upstream = closer.register(RawUpstream.start(request -> {
            awaitQuietly(answering);
            return RawUpstream.ok(LIST);
        }));
        ForwardedTuples tuples = tuples(upstream, "10s", "");
        for (int i = 0; i < 40; i++) {
            String selector = "queue=q" + i;
            Thread.ofVirtual().start(() -> read(tuples, "default", "s0-queue",
                    Optional.of(LabelSelector.parse(selector))));
        }

        Await.until("32 fetches to reach the upstream", WAIT, () -> upstream.requests().size() >= 32);
        answering.countDown();

        Await.until("every tuple to be fetched", WAIT, () -> upstream.requests().size() >= 40);
        assertThat(upstream.mostInFlight()).isEqualTo(ForwardedTuples.MAX_CONCURRENT_FETCHES);
    }

    @Test
    void tuplesFirstReadTogether_areRefreshedAtSpreadPhasesOfTheInterval() {
        Duration interval = Duration.ofSeconds(10);
        int[] tenths = new int[10];
        for (int i = 0; i < 100; i++) {
            Duration phase = ForwardedTuples.phase(new ForwardedTuples.Tuple("default", "s0-queue", "queue=q" + i),
                    interval);
            assertThat(phase).isPositive().isLessThan(interval);
            tenths[(int) (phase.toNanos() * 10 / interval.toNanos())]++;
        }
        assertThat(Arrays.stream(tenths).boxed().toList()).as("tuples per tenth of the interval")
                .allMatch(n -> n > 0 && n < 30);
    }

    @Test
    void forwardedNameThatIsNotAMetricName_isTheAdapters404_withoutAFetch() throws Exception {
        String longest = "s0-" + "x".repeat(250);
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.ok(LIST.replace("s0-queue",
                longest))));
        cache.forwarders(List.of(tuples(upstream, "")));

        ReadResult long254 = cache.read("default", "s0-" + "x".repeat(251), Optional.empty());
        ReadResult space = cache.read("default", "s0-a b", Optional.empty());

        assertThat(message(long254)).startsWith("404 ").doesNotContain("upstream");
        assertThat(message(space)).startsWith("404 ").doesNotContain("upstream");
        assertThat(message(cache.read("default", longest, Optional.empty()))).startsWith("200 ");
        assertThat(upstream.requests()).allMatch(request -> request.startsWith("GET /apis/external.metrics.k8s.io/"
                + "v1beta1/namespaces/default/" + longest + " "));
    }

    @Test
    void summary_tellsTheOldestValuesAge_onlyOnceATupleHasAValue() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> request.contains("/s0-missing")
                ? RawUpstream.status(404, NO_SUCH_METRIC) : RawUpstream.ok(LIST)));
        ForwardedTuples tuples = tuples(upstream, "10s", "");

        assertThat(message(read(tuples, "default", "s0-missing", Optional.empty()))).startsWith("404 ");
        Await.until("the summary to count the refused tuple", WAIT,
                () -> cache.providers().getFirst().describe().contains("1 refused by the upstream"));
        assertThat(cache.providers().getFirst().describe()).contains("follows 1 tuple ")
                .doesNotContain("oldest value");

        assertThat(message(read(tuples, "default", "s0-queue", Optional.empty()))).startsWith("200 ");
        Await.until("the summary to tell the value's age", WAIT,
                () -> cache.providers().getFirst().describe().contains("follows 2 tuples"));
        assertThat(cache.providers().getFirst().describe()).containsPattern("oldest value \\d+\\.\\ds old");
    }

    @Test
    void upstream400_isPassedOnWithItsCode_while408IsAFailure() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> request.contains("/s0-bad")
                ? RawUpstream.status(400, "{\"kind\":\"Status\",\"message\":\"unable to parse\"}")
                : RawUpstream.status(408, "{\"kind\":\"Status\",\"message\":\"timed out\"}")));
        ForwardedTuples tuples = tuples(upstream, "10s", "");

        assertThat(message(read(tuples, "default", "s0-bad", Optional.empty())))
                .isEqualTo("400 provider \"upstream\": upstream answered 400: unable to parse");
        assertThat(message(read(tuples, "default", "s0-slow", Optional.empty())))
                .startsWith("503 provider \"upstream\" failing since ")
                .contains("(upstream answered 408: timed out, 1 attempt)");
    }

    @Test
    void upstreamRefusalWithAHugeMessage_isPassedOnAbbreviated() throws Exception {
        String huge = "no such metric " + "x".repeat(5000);
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.status(404,
                "{\"kind\":\"Status\",\"message\":\"" + huge + "\"}")));
        ForwardedTuples tuples = tuples(upstream, "");

        String answer = message(read(tuples, "default", "s0-queue", Optional.empty()));

        assertThat(answer).startsWith("404 provider \"upstream\": upstream answered 404: no such metric xxx")
                .endsWith("...").hasSizeLessThan(1100);
    }

    @Test
    void tuplesTheUpstreamRefuses_makeRoomAtMaxTuplesForATupleItAnswers() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> request.contains("/s0-missing")
                ? RawUpstream.status(404, "{\"kind\":\"Status\",\"message\":\"no such metric\"}")
                : RawUpstream.ok(LIST)));
        ForwardedTuples tuples = tuples(upstream, "maxTuples: 2");
        assertThat(message(read(tuples, "default", "s0-missing", Optional.empty()))).startsWith("404 ");
        assertThat(message(read(tuples, "default", "s0-missing", Optional.of(LabelSelector.parse("a=b")))))
                .startsWith("404 ");
        assertThat(message(read(tuples, "default", "s0-queue", Optional.empty()))).startsWith("200 ");

        String another = message(read(tuples, "default", "s0-queue", Optional.of(LabelSelector.parse("queue=orders"))));
        String beyond = message(read(tuples, "default", "s0-queue", Optional.of(LabelSelector.parse("queue=x"))));

        assertThat(another).startsWith("200 ");
        assertThat(beyond).startsWith("503 ").contains("already follows 2");
        assertThat(message(read(tuples, "default", "s0-queue", Optional.empty()))).startsWith("200 ");
    }

    @Test
    void tuplesTheUpstreamMatchesNothingFor_makeRoomAtMaxTuplesForATupleWithItems() throws Exception {
        String empty = "{\"kind\":\"ExternalMetricValueList\",\"apiVersion\":\"external.metrics.k8s.io/v1beta1\","
                + "\"metadata\":{},\"items\":[]}";
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.ok(
                request.contains("labelSelector") ? empty : LIST)));
        ForwardedTuples tuples = tuples(upstream, "10s", "maxTuples: 2");
        assertThat(message(read(tuples, "default", "s0-queue", Optional.of(LabelSelector.parse("a=b")))))
                .startsWith("200 ").contains("\"items\":[]");
        assertThat(message(read(tuples, "default", "s0-queue", Optional.of(LabelSelector.parse("a=c")))))
                .contains("\"items\":[]");

        String withItems = message(read(tuples, "default", "s0-queue", Optional.empty()));
        String beyond = message(read(tuples, "default", "s0-queue", Optional.of(LabelSelector.parse("a=d"))));

        assertThat(withItems).as("an empty tuple made room").startsWith("200 ").contains("\"value\":\"3\"");
        assertThat(beyond).as("the other empty tuple made room; the one with items stays").startsWith("200 ");
        assertThat(message(read(tuples, "default", "s0-queue", Optional.of(LabelSelector.parse("a=e")))))
                .as("empty tuples make room for each other").startsWith("200 ");
        assertThat(message(tuples.peek("default", "s0-queue", Optional.empty())))
                .as("the tuple with items is still followed").startsWith("200 ").contains("\"value\":\"3\"");
    }

    @Test
    void insecureSkipTlsVerify_isAWarningAtStart_sayingTheTokenGoesToAnUnverifiedPeer() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.ok(LIST)));
        Path token = Files.writeString(dir.resolve("token"), "a-token");
        try (LogRecords logs = LogRecords.of(ForwardedTuples.class.getName())) {
            tuples(upstream, "");
            tuples(upstream, "tokenFile: " + token);

            assertThat(logs.atLeast(Level.WARNING)).hasSize(2)
                    .allMatch(line -> line.startsWith("provider \"upstream\": insecureSkipTLSVerify: the "
                            + "certificate of https://127.0.0.1:" + upstream.port() + " is not checked"));
            assertThat(logs.atLeast(Level.WARNING).get(1)).contains("bearer token of tokenFile " + token
                    + " is sent to that unverified peer").doesNotContain("a-token");
        }
    }

    @Test
    void upstreamItemsThatAreNotValid_failTheFetchWithAClearMessage() throws Exception {
        String good = "\"metricName\":\"s0-queue\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"value\":\"3\"";
        Map<String, String> items = new LinkedHashMap<>();
        items.put("[1,{" + good + "}]", "items[0] is not an object");
        items.put("[{\"metricName\":\"s0-other\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"value\":\"3\"}]",
                "items[0] is of metric \"s0-other\", not \"s0-queue\"");
        items.put("[{\"metricLabels\":{\"queue\":{\"metricName\":\"x\"}}," + good + "}]",
                "items[0].metricLabels is not a string");
        items.put("[{\"metricLabels\":[\"queue\"]," + good + "}]", "items[0].metricLabels is not an object");
        items.put("[{\"metricLabels\":{\"bad key!\":\"x\"}," + good + "}]", "items[0]: label key \"bad key!\"");
        items.put("[{\"metricLabels\":{\"queue\":\"a b\"}," + good + "}]", "items[0]: label queue value \"a b\"");
        items.put("[{\"window\":-5," + good + "}]", "items[0].window is not a whole number of seconds >= 0");
        items.put("[{" + good + "},{" + good + "}]", "two items with the labels {}");
        items.put("[{\"metricName\":{\"value\":\"1\"},\"timestamp\":\"2026-01-01T00:00:00Z\",\"value\":\"3\"}]",
                "items[0].metricName is not a string");
        var replies = new AtomicReference<String>();
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.ok(
                "{\"kind\":\"ExternalMetricValueList\",\"items\":" + replies.get() + "}")));
        ForwardedTuples tuples = tuples(upstream, "");
        int n = 0;
        for (Map.Entry<String, String> item : items.entrySet()) {
            replies.set(item.getKey());

            String answer = message(read(tuples, "n" + n++, "s0-queue", Optional.empty()));

            assertThat(answer).as(item.getKey()).startsWith("503 provider \"upstream\" failing since")
                    .contains("(invalid answer: " + item.getValue());
        }
    }

    @Test
    void close_answersAReaderWaitingForAFirstFetch_atOnce() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.ok(LIST)));
        List<Runnable> queued = new CopyOnWriteArrayList<>(); // fetches that have not started yet
        ForwardedTuples tuples = tuples(upstream, "30s", "", queued::add);
        var answer = new CompletableFuture<ReadResult>();
        Thread.ofVirtual().start(() -> answer.complete(read(tuples, "default", "s0-queue", Optional.empty())));
        Await.until("the first fetch to be queued", WAIT, () -> !queued.isEmpty());

        tuples.close();
        queued.forEach(Runnable::run);

        assertThat(message(answer.get(5, TimeUnit.SECONDS))).isEqualTo("503 provider \"upstream\" is stopping");
        assertThat(cache.providers()).isEmpty();
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void unexpectedFailure_isAGenericAnswer_loggedOncePerIntervalWithoutItsText() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.ok(LIST)));
        AtomicInteger calls = new AtomicInteger();
        try (LogRecords logs = LogRecords.of(ForwardedTuples.class.getName())) {
            ForwardedTuples tuples = tuples(upstream, "1s", "", fetchThreads, config -> new UpstreamClient(config,
                    UpstreamClient.sslContext(config, Optional.empty()), fetchThreads) {
                @Override
                Answer fetch(String namespace, String metric, String selector) {
                    calls.incrementAndGet();
                    throw new IllegalStateException("invalid header value: \"Bearer secret-token\"");
                }
            });

            String first = message(read(tuples, "default", "s0-queue", Optional.empty()));
            read(tuples, "other", "s0-queue", Optional.empty());
            Await.until("several failed refreshes", WAIT, () -> calls.get() >= 10);

            assertThat(first).startsWith("503 provider \"upstream\" failing since")
                    .contains("(unexpected error (see the adapter's log), 1 attempt)");
            List<String> warnings = logs.atLeast(Level.WARNING).stream()
                    .filter(line -> line.contains("fetching")).toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.getFirst()).contains("failed: java.lang.IllegalStateException at ")
                    .doesNotContain("secret");
        }
    }

    @Test
    void tupleThatNeverHadAValue_isDroppedAfterAMinuteUnread_whileOneWithAValueStaysUntilIdleAfter() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> request.contains("/s0-missing ")
                ? RawUpstream.status(404, NO_SUCH_METRIC)
                : request.contains("/s0-down ") ? RawUpstream.status(500, "{\"kind\":\"Status\",\"message\":\"down\"}")
                : RawUpstream.ok(LIST)));
        var clock = new TestClock(Instant.parse("2026-11-30T10:00:00Z"));
        ForwardedTuples tuples = tuples(upstream, REAL_TIME + "idleAfter: 5m", realTimeWith(clock));
        assertThat(message(read(tuples, "default", "s0-missing", Optional.empty()))).startsWith("404 ");
        assertThat(message(read(tuples, "default", "s0-down", Optional.empty()))).startsWith("503 ");
        assertThat(message(read(tuples, "default", "s0-queue", Optional.empty()))).startsWith("200 ");
        awaitSummary("follows 3 tuples");

        clock.advance(Duration.ofSeconds(59));
        awaitRefreshed(upstream, "s0-missing", "s0-down", "s0-queue");
        clock.advance(Duration.ofSeconds(1));

        awaitSummary("follows 1 tuple (");
        awaitRefreshed(upstream, "s0-queue");
        int missing = requestsFor(upstream, "s0-missing");
        assertThat(message(read(tuples, "default", "s0-missing", Optional.empty()))).startsWith("404 ");
        assertThat(requestsFor(upstream, "s0-missing")).as("a new read fetches the dropped tuple again")
                .isGreaterThan(missing);
        awaitSummary("follows 2 tuples");

        clock.advance(Duration.ofMinutes(5).minusSeconds(61));
        awaitRefreshed(upstream, "s0-queue");
        clock.advance(Duration.ofSeconds(1));

        awaitSummary("follows 0 tuples");
    }

    @Test
    void tupleThatNeverHadAValue_isDroppedAfterIdleAfter_whenThatIsUnderAMinute() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.status(404, NO_SUCH_METRIC)));
        var clock = new TestClock(Instant.parse("2026-11-30T10:00:00Z"));
        ForwardedTuples tuples = tuples(upstream, REAL_TIME + "idleAfter: 30s", realTimeWith(clock));
        assertThat(message(read(tuples, "default", "s0-missing", Optional.empty()))).startsWith("404 ");
        awaitSummary("follows 1 tuple (");

        clock.advance(Duration.ofSeconds(29));
        awaitRefreshed(upstream, "s0-missing");
        clock.advance(Duration.ofSeconds(1));

        awaitSummary("follows 0 tuples");
    }

    @Test
    void tupleThatNeverHadAValue_withAnIntervalOverAMinute_staysWhileReadWithinTheInterval() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.status(404, NO_SUCH_METRIC)));
        var time = new FakeClock();
        // refreshes and summaries run on virtual time, fetches inline: all on this thread, in forward() or a read
        ForwardedTuples tuples = tuples(upstream, "deadline: 10s\ninterval: 2m", new ProviderManager.Environment(
                time.scheduler(), Runnable::run, time.clock(), time.ticker()));
        assertThat(message(read(tuples, "default", "s0-missing", Optional.empty()))).startsWith("404 ");

        for (int read = 1; read <= 6; read++) {
            time.forward(Duration.ofSeconds(90));
            int fetched = upstream.requests().size();
            assertThat(message(read(tuples, "default", "s0-missing", Optional.empty()))).startsWith("404 ");
            assertThat(upstream.requests()).as("read %d, 90s after the one before, answered by the followed tuple",
                    read).hasSize(fetched);
        }
        time.forward(Duration.ofMinutes(4).plusSeconds(1)); // two intervals: a refresh after 2m unread

        assertThat(cache.providers().getFirst().describe()).contains("follows 0 tuples");
        int fetched = upstream.requests().size();
        assertThat(message(read(tuples, "default", "s0-missing", Optional.empty()))).startsWith("404 ");
        assertThat(upstream.requests()).as("a read of the dropped tuple fetches it").hasSize(fetched + 1);
    }

    @Test
    void close_waitsForASummaryBeingPublished_soTheStoppedProviderDoesNotReappear() throws Exception {
        RawUpstream upstream = closer.register(RawUpstream.start(request -> RawUpstream.ok(LIST)));
        var summaryTask = new AtomicReference<Runnable>();
        var byHand = new ScheduledThreadPoolExecutor(1) {
            @Override
            public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                             TimeUnit unit) {
                summaryTask.set(command); // run when the test says so; the tuples' refreshes are scheduled as usual
                return schedule(() -> { }, 1, TimeUnit.DAYS);
            }
        };
        closer.register(byHand::shutdownNow);
        var publisher = new AtomicReference<Thread>();
        var publishing = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        // the summary reads the clock while it is being published: there the publisher is held
        Clock clock = new Clock() {
            @Override
            public Instant instant() {
                if (Thread.currentThread() == publisher.get()) {
                    publishing.countDown();
                    awaitQuietly(release);
                }
                return Instant.now();
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }
        };
        ForwardedTuples tuples = tuples(upstream, REAL_TIME, new ProviderManager.Environment(byHand, fetchThreads,
                clock, System::nanoTime));
        assertThat(message(read(tuples, "default", "s0-queue", Optional.empty()))).startsWith("200 ");
        Thread summary = Thread.ofPlatform().unstarted(summaryTask.get());
        publisher.set(summary);
        summary.start();
        assertThat(publishing.await(20, TimeUnit.SECONDS)).as("the summary is being published").isTrue();

        Thread closing = Thread.ofPlatform().start(tuples::close);
        Await.until("close to return or to wait for the summary", WAIT,
                () -> !closing.isAlive() || closing.getState() == Thread.State.WAITING);
        release.countDown();
        summary.join(WAIT);
        closing.join(WAIT);

        assertThat(closing.isAlive()).as("close returned").isFalse();
        assertThat(cache.providers()).as("providers after close").isEmpty();
        summaryTask.get().run(); // a summary due after close
        assertThat(cache.providers()).as("providers after a summary due after close").isEmpty();
    }

    /** Tuples on the real scheduler, judging what is unread by {@code clock}. */
    private ProviderManager.Environment realTimeWith(Clock clock) {
        return new ProviderManager.Environment(scheduler, fetchThreads, clock, System::nanoTime);
    }

    private void awaitSummary(String part) {
        Await.until("the provider's summary to say \"" + part + "\"", WAIT,
                () -> cache.providers().getFirst().describe().contains(part));
    }

    /**
     * Waits until each of {@code metrics} is fetched twice more: the second of those comes from a refresh
     * that found the tuple read recently enough by the clock as it is now (the first may have been decided
     * before the clock moved).
     */
    private static void awaitRefreshed(RawUpstream upstream, String... metrics) {
        for (String metric : metrics) {
            int before = requestsFor(upstream, metric);
            Await.until(metric + " to be refreshed twice more", WAIT,
                    () -> requestsFor(upstream, metric) >= before + 2);
        }
    }

    /** How many requests for {@code metric} (without a selector) the upstream received. */
    private static int requestsFor(RawUpstream upstream, String metric) {
        return (int) upstream.requests().stream().filter(request -> request.contains("/" + metric + " ")).count();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A scripted HTTPS/1.1 server: each request's head is recorded and answered by the script, which
     * writes raw bytes (and may stall by blocking).
     */
    static final class RawUpstream implements AutoCloseable {
        private final SSLServerSocket server;
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicInteger mostOpen = new AtomicInteger();
        private final Function<String, Reply> script;
        private final Thread acceptor;

        /** What to answer: bytes to write, then whether to stall with the connection open. */
        record Reply(byte[] bytes, boolean stall) {
        }

        static Reply ok(String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            return status(200, body);
        }

        static Reply status(int code, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            return new Reply(("HTTP/1.1 " + code + " X\r\nContent-Type: application/json\r\nContent-Length: "
                    + bytes.length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8), false);
        }

        /** Headers promising a body, then nothing. */
        static Reply headersThenStall() {
            return new Reply("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
                    .getBytes(StandardCharsets.UTF_8), true);
        }

        private RawUpstream(SSLServerSocket server, Function<String, Reply> script) {
            this.server = server;
            this.script = script;
            this.acceptor = Thread.ofVirtual().start(this::accept);
        }

        static RawUpstream start(Function<String, Reply> script) throws Exception {
            TestPki.Issued ca = TestPki.ca("raw-upstream-ca");
            TestPki.Issued serving = ca.issue("upstream", "127.0.0.1");
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "changeit".toCharArray();
            store.setKeyEntry("serving", serving.keyPair().getPrivate(), password,
                    new Certificate[] {serving.certificate(), ca.certificate()});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            var server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            return new RawUpstream(server, script);
        }

        int port() {
            return server.getLocalPort();
        }

        /** The request heads received, in order. */
        List<String> requests() {
            return List.copyOf(requests);
        }

        /** The most requests that were being answered at once. */
        int mostInFlight() {
            return mostOpen.get();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    Thread.ofVirtual().start(() -> serve(socket));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                while (true) {
                    String head = head(in);
                    if (head == null) {
                        return;
                    }
                    requests.add(head);
                    mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                    try {
                        Reply reply = script.apply(head);
                        out.write(reply.bytes());
                        out.flush();
                        if (reply.stall()) {
                            in.read(); // until the client goes away or the server closes
                            return;
                        }
                    } finally {
                        open.decrementAndGet();
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        private static String head(InputStream in) throws IOException {
            var head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            return head.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
            acceptor.interrupt();
        }
    }
}
