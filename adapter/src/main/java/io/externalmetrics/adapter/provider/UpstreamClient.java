package io.externalmetrics.adapter.provider;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.config.UpstreamConfig;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import io.externalmetrics.adapter.k8s.LabelRules;
import io.externalmetrics.adapter.k8s.Quantity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Reads one (namespace, metric, selector) from another server's {@code external.metrics.k8s.io/v1beta1}
 * API over HTTPS (HTTP/2 when offered), with the provider's CA or none checked, its client certificate
 * and its bearer token. The items are re-encoded as the adapter writes its own (timestamps in UTC to the
 * second, quantities in Kubernetes' canonical form), so an upstream's answer looks like any other.
 */
class UpstreamClient implements AutoCloseable { // not final: tests make it fail in ways a server cannot

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final JsonFactory JSON = JsonFactory.builder().build();
    /** Longest upstream message passed on. */
    static final int MAX_MESSAGE_CHARS = 1000;

    private final ProviderConfig config;
    private final UpstreamConfig upstream;
    private final String base;
    private final HttpClient client;

    /** What the upstream answered. */
    sealed interface Answer {
        /** An {@code ExternalMetricValueList}: its items, each encoded as the adapter writes one. */
        record Items(List<byte[]> items) implements Answer {
            public Items {
                items = List.copyOf(items);
            }
        }

        /** A {@code Status} refusing the read (4xx other than 401, 403, 408 and 429): passed on to the reader. */
        record Refused(int code, String message) implements Answer {
        }
    }

    /**
     * @param sslContext the TLS context: the provider's files (see {@link ReloadingTls#sslContext}), or
     *                   for {@code insecureSkipTLSVerify} one that checks nothing
     */
    UpstreamClient(ProviderConfig config, SSLContext sslContext, Executor executor) {
        this.config = config;
        this.upstream = config.upstream().orElseThrow();
        String target = config.target();
        this.base = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(sslContext)
                .connectTimeout(config.deadline())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }

    /**
     * Fetches a tuple, waiting at most the provider's deadline.
     *
     * @param selector the selector as Kubernetes prints it; empty for none
     * @throws UpstreamException saying why there is no answer (unreachable, too slow, a server error, an
     *                           invalid body, credentials refused)
     */
    Answer fetch(String namespace, String metric, String selector) {
        String uri = base + API + segment(namespace) + "/" + segment(metric)
                + (selector.isEmpty() ? "" : "?labelSelector=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri))
                .timeout(config.deadline())
                .header("Accept", "application/json")
                .header("User-Agent", "externalmetrics-adapter")
                .GET();
        token().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        HttpResponse<byte[]> response;
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request.build(),
                info -> new BoundedBody(config.maxReplyBytes()));
        try {
            // the request's timeout covers the headers only: a body that stalls must not hold the tuple
            response = exchange.get(config.deadline().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new UpstreamException("no answer within " + Durations.format(config.deadline()));
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted");
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
        byte[] body = response.body();
        int code = response.statusCode();
        if (code == 200) {
            return new Answer.Items(items(body, metric));
        }
        String message = abbreviate(statusMessage(body));
        String answered = "upstream answered " + code + ": " + message;
        // about the adapter's credentials or the upstream's load, not the HPA's question: a failure, retried,
        // for onError to answer, rather than a refusal passed on
        switch (code) {
            case 401 -> throw new UpstreamException(answered + " (check the provider's tokenFile or client "
                    + "certificate)");
            case 403 -> throw new UpstreamException(answered + " (the upstream does not let the adapter's identity "
                    + "read this metric: grant it get on external.metrics.k8s.io there)");
            case 408, 429 -> throw new UpstreamException(answered);
            default -> {
                if (code >= 400 && code < 500) {
                    return new Answer.Refused(code, message);
                }
                throw new UpstreamException(answered);
            }
        }
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The bearer token, read now: a projected service-account token is rewritten as it rotates. Only
     * visible ASCII is sent: anything else would make the JDK refuse the header, quoting the token.
     */
    private Optional<String> token() {
        if (upstream.tokenFile().isEmpty()) {
            return Optional.empty();
        }
        try {
            String token = Files.readString(upstream.tokenFile().get()).strip();
            if (token.isEmpty()) {
                throw new UpstreamException("tokenFile " + upstream.tokenFile().get() + " is empty");
            }
            if (!token.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
                // never quote the token: it is a secret, and it goes to every 503 and the inventory
                throw new UpstreamException("tokenFile " + upstream.tokenFile().get() + " holds characters a bearer "
                        + "token cannot have (a line break, space or control character inside it, or non-ASCII)");
            }
            return Optional.of(token);
        } catch (IOException e) {
            throw new UpstreamException("cannot read tokenFile " + upstream.tokenFile().get() + ": " + causeOf(e));
        }
    }

    /** Why an exchange failed, as a user reads it. */
    private UpstreamException failure(Throwable e) {
        return switch (e) {
            case UpstreamException upstreamException -> upstreamException;
            case HttpTimeoutException timeout -> new UpstreamException("no answer within "
                    + Durations.format(config.deadline()));
            case ConnectException connect -> new UpstreamException("unreachable: " + causeOf(connect));
            case SSLException tls -> new UpstreamException("TLS: " + causeOf(tls));
            case IOException io -> io.getCause() instanceof UpstreamException u ? u
                    : new UpstreamException("unreachable: " + causeOf(io));
            case null, default -> new UpstreamException("the exchange failed: "
                    + (e == null ? "no cause" : e.getClass().getSimpleName()));
        };
    }

    /**
     * Collects a body of at most {@code limit} bytes, failing (and cancelling the stream) as soon as it
     * is larger, so neither a huge nor a slow body is read beyond what the caller waits for.
     */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            result.whenComplete((body, error) -> {
                if (error != null) {
                    subscription.cancel(); // the caller gave up (deadline) or the body is too large
                }
            });
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > limit) {
                    result.completeExceptionally(new UpstreamException("the answer is larger than maxReplyBytes ("
                            + limit + ")", true));
                    subscription.cancel();
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error instanceof UpstreamException ? error
                    : new UpstreamException("reading the answer failed: " + causeOf(error)));
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }

    /** The items of an {@code ExternalMetricValueList}, each validated and encoded as the adapter writes one. */
    private List<byte[]> items(byte[] body, String metric) {
        List<byte[]> items = new ArrayList<>();
        Set<Map<String, String>> seen = new HashSet<>();
        try (JsonParser json = JSON.createParser(body)) {
            expect(json.nextToken() == JsonToken.START_OBJECT, "not a JSON object");
            String kind = "";
            boolean sawItems = false;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if (field.equals("kind") && value == JsonToken.VALUE_STRING) {
                    kind = json.getText();
                } else if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    sawItems = true;
                    for (JsonToken item = json.nextToken(); item != JsonToken.END_ARRAY; item = json.nextToken()) {
                        expect(item == JsonToken.START_OBJECT, "items[" + items.size() + "] is not an object");
                        if (items.size() >= config.maxSeries()) {
                            throw new UpstreamException("the answer has more than maxSeries (" + config.maxSeries()
                                    + ") items", true);
                        }
                        items.add(item(json, metric, "items[" + items.size() + "]", seen));
                    }
                } else {
                    json.skipChildren();
                }
            }
            expect(kind.equals("ExternalMetricValueList") && sawItems,
                    "not an ExternalMetricValueList with items (kind \"" + abbreviate(kind) + "\")");
        } catch (IOException e) {
            throw new UpstreamException("invalid answer: " + causeOf(e), true);
        }
        return items;
    }

    /**
     * One item, checked as the adapter checks a provider's series: its metric the one asked for, its labels
     * Kubernetes labels and unlike every other item's, a timestamp, a quantity, a window of whole seconds.
     */
    private static byte[] item(JsonParser json, String metric, String where, Set<Map<String, String>> seen)
            throws IOException {
        String name = null;
        Map<String, String> labels = new LinkedHashMap<>();
        Instant timestamp = null;
        Optional<Duration> window = Optional.empty();
        String value = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken token = json.nextToken();
            switch (field) {
                case "metricName" -> name = string(json, token, where + ".metricName");
                case "metricLabels" -> {
                    expect(token == JsonToken.START_OBJECT || token == JsonToken.VALUE_NULL,
                            where + ".metricLabels is not an object");
                    if (token == JsonToken.START_OBJECT) {
                        while (json.nextToken() == JsonToken.FIELD_NAME) {
                            String key = json.currentName();
                            String label = string(json, json.nextToken(), where + ".metricLabels");
                            labelProblem(key, label).ifPresent(p -> expect(false, where + ": " + p));
                            labels.put(key, label);
                        }
                    }
                }
                case "timestamp" -> {
                    String text = string(json, token, where + ".timestamp");
                    try {
                        timestamp = Instant.parse(text);
                    } catch (DateTimeParseException e) {
                        throw new UpstreamException("invalid item timestamp \"" + abbreviate(text) + "\"", true);
                    }
                }
                case "window" -> {
                    expect(token == JsonToken.VALUE_NULL || token == JsonToken.VALUE_NUMBER_INT
                            && json.getLongValue() >= 0, where + ".window is not a whole number of seconds >= 0");
                    window = token == JsonToken.VALUE_NULL ? Optional.empty()
                            : Optional.of(Duration.ofSeconds(json.getLongValue()));
                }
                case "value" -> value = string(json, token, where + ".value");
                default -> json.skipChildren();
            }
        }
        expect(name != null && timestamp != null && value != null,
                where + " lacks metricName, timestamp or value");
        expect(name.equalsIgnoreCase(metric), where + " is of metric \"" + abbreviate(name) + "\", not \"" + metric
                + "\"");
        expect(seen.add(labels), "two items with the labels " + abbreviate(labels.toString()));
        String quantity;
        try {
            quantity = Quantity.parse(value).canonical();
        } catch (IllegalArgumentException e) {
            throw new UpstreamException("invalid item value \"" + abbreviate(value) + "\": " + e.getMessage(),
                    true);
        }
        return ExternalMetricJson.item(name, labels, timestamp, window, quantity);
    }

    /** The string at {@code token}, failing the answer for anything else (which would put the parser out of step). */
    private static String string(JsonParser json, JsonToken token, String what) throws IOException {
        expect(token == JsonToken.VALUE_STRING, what + " is not a string");
        return json.getText();
    }

    private static Optional<String> labelProblem(String key, String value) {
        List<String> keyErrors = LabelRules.keyErrors(key);
        if (!keyErrors.isEmpty()) {
            return Optional.of("label key \"" + abbreviate(key) + "\": " + String.join("; ", keyErrors));
        }
        List<String> valueErrors = LabelRules.valueErrors(value);
        return valueErrors.isEmpty() ? Optional.empty()
                : Optional.of("label " + abbreviate(key) + " value \"" + abbreviate(value) + "\": "
                        + String.join("; ", valueErrors));
    }

    /** The {@code message} of a {@code Status} body, else the start of the body as text. */
    private static String statusMessage(byte[] body) {
        try (JsonParser json = JSON.createParser(body)) {
            if (json.nextToken() == JsonToken.START_OBJECT) {
                while (json.nextToken() == JsonToken.FIELD_NAME) {
                    String field = json.currentName();
                    json.nextToken();
                    if (field.equals("message")) {
                        return json.getValueAsString("");
                    }
                    json.skipChildren();
                }
            }
        } catch (IOException e) {
            // not JSON: the text below
        }
        String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "(no message)" : text;
    }

    /**
     * The upstream's words as passed on, cut at {@value #MAX_MESSAGE_CHARS} characters: they reach every
     * reader's Status, the inventory and the log. Longer than a quote of the caller's input (a Kubernetes
     * Forbidden message alone is some 200 characters).
     */
    static String abbreviate(String message) {
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS - 3) + "...";
    }

    private static void expect(boolean condition, String problem) {
        if (!condition) {
            throw new UpstreamException("invalid answer: " + problem, true);
        }
    }

    private static String causeOf(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    /** Closes the client's connections. */
    @Override
    public void close() {
        client.shutdownNow();
    }

    /** No answer from the upstream, saying why as a user reads it. */
    static final class UpstreamException extends RuntimeException {
        private final boolean invalid;

        UpstreamException(String message) {
            this(message, false);
        }

        /** @param invalid whether the upstream answered, but its answer breaks the API's rules or the limits */
        UpstreamException(String message, boolean invalid) {
            super(message, null, false, false);
            this.invalid = invalid;
        }

        /** Whether the upstream answered, but with an answer that breaks the API's rules or the limits. */
        boolean invalid() {
            return invalid;
        }
    }

    /**
     * The TLS context of an upstream: its {@code tls} files (re-read as they change), else the JVM's
     * trust store; with {@code insecureSkipTLSVerify: true} (as an APIService can say of the adapter
     * itself) no server certificate is checked: the connection is encrypted, the server not authenticated.
     */
    static SSLContext sslContext(ProviderConfig config, Optional<ReloadingTls> tls) {
        Optional<TrustManager> trustInstead = config.upstream().orElseThrow().insecureSkipTlsVerify()
                ? Optional.of(new AnyServer()) : Optional.empty();
        if (tls.isPresent()) {
            return tls.get().sslContext(trustInstead);
        }
        try {
            if (trustInstead.isEmpty()) {
                return SSLContext.getDefault();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustInstead.get()}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context", e);
        }
    }

    /** Trusts every server certificate and checks no host name: only for {@code insecureSkipTLSVerify}. */
    private static final class AnyServer extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
