import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The demo's reader: {@code ./demo} runs it as {@code java scripts/DemoClient.java ...}, so the demo needs
 * nothing but the JDK (no curl, python or kubectl). It reads the adapter over HTTPS as a Kubernetes client
 * does and prints one line per read.
 *
 * <pre>
 *   ready PORT SECONDS NAME=PID...  waits for https://127.0.0.1:PORT/readyz to answer 200, printing a dot
 *                                   a second; exit 0 when it did, 1 when it did not within SECONDS, 2 when
 *                                   one of the processes PID (called NAME) ended first
 *   watch PORT                  every two seconds, the demo's four reads, summarised
 * </pre>
 *
 * <p>Demo only: it trusts the first certificate the adapter presents (the demo's adapter makes a new
 * self-signed one at each start and writes it nowhere) and then only that one; it talks to 127.0.0.1 only.
 */
public final class DemoClient {

    private static final String BASE = "/apis/external.metrics.k8s.io/v1beta1/namespaces";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final HttpClient http;
    private final int port;

    private DemoClient(int port) throws GeneralSecurityException {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new FirstCertificate()}, null);
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(2)).build();
        this.port = port;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage();
        }
        var client = new DemoClient(Integer.parseInt(args[1]));
        switch (args[0]) {
            case "ready" -> {
                if (args.length < 3) {
                    usage();
                }
                Map<String, Long> pids = new LinkedHashMap<>();
                for (int i = 3; i < args.length; i++) {
                    int equals = args[i].indexOf('=');
                    pids.put(args[i].substring(0, Math.max(equals, 0)), Long.parseLong(args[i].substring(equals + 1)));
                }
                System.exit(client.awaitReady(Duration.ofSeconds(Long.parseLong(args[2])), pids));
            }
            case "watch" -> client.watch();
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: java scripts/DemoClient.java ready PORT SECONDS NAME=PID... | watch PORT");
        System.exit(64);
    }

    private int awaitReady(Duration wait, Map<String, Long> pids) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        long nextDot = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            for (var process : pids.entrySet()) {
                if (ProcessHandle.of(process.getValue()).map(p -> !p.isAlive()).orElse(true)) {
                    System.out.println();
                    System.out.println("the " + process.getKey() + " (process " + process.getValue() + ") ended");
                    return 2;
                }
            }
            try {
                if (get("/readyz").statusCode() == 200) {
                    return 0;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() - nextDot >= 0) {
                System.out.print(".");
                System.out.flush();
                nextDot += Duration.ofSeconds(1).toNanos();
            }
            Thread.sleep(250);
        }
        System.out.println();
        return 1;
    }

    private void watch() throws InterruptedException {
        while (true) {
            System.out.printf("%s  A: %s%n", LocalTime.now().format(CLOCK), read(BASE + "/default/incrementable"));
            System.out.printf("          B: %s%n", read(BASE + "/default/incrementable?labelSelector=some-key%3DB"));
            System.out.printf("          AC: %s%n", read(BASE + "/other/incrementable?labelSelector=some-key+in+(A,C)"));
            System.out.printf("          P: %s%n", read(BASE + "/default/pushed"));
            Thread.sleep(2000);
        }
    }

    /** One read, summarised: {@code labels=value ... @timestamp}, or the Status message of an error. */
    private String read(String path) throws InterruptedException {
        String body;
        try {
            body = get(path).body();
        } catch (IOException e) {
            return "(no answer from 127.0.0.1:" + port + ": " + why(e) + ")";
        }
        Object parsed;
        try {
            parsed = new Json(body).document();
        } catch (IllegalArgumentException e) {
            return "(no JSON answer)";
        }
        if (!(parsed instanceof Map<?, ?> doc)) {
            return "(no JSON answer)";
        }
        if ("Status".equals(doc.get("kind"))) {
            return "Status " + doc.get("code") + ": " + doc.get("message");
        }
        List<String> values = new ArrayList<>();
        String timestamp = "-";
        if (doc.get("items") instanceof List<?> items) {
            for (Object item : items) {
                if (!(item instanceof Map<?, ?> fields)) {
                    continue;
                }
                Map<String, String> labels = new TreeMap<>();
                if (fields.get("metricLabels") instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
                }
                List<String> pairs = new ArrayList<>();
                labels.forEach((k, v) -> pairs.add(k + "=" + v));
                values.add((pairs.isEmpty() ? "base" : String.join(",", pairs)) + "=" + fields.get("value"));
                if (values.size() == 1) {
                    timestamp = String.valueOf(fields.get("timestamp"));
                }
            }
        }
        return String.join("  ", values) + "   @" + timestamp;
    }

    /** The first message in the cause chain (the JDK's ConnectException has none of its own). */
    private static String why(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .header("Accept", "application/json")
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Trusts the first server certificate it is shown, then only that one (demo only, see the class doc). */
    private static final class FirstCertificate extends X509ExtendedTrustManager {

        private final AtomicReference<X509Certificate> pinned = new AtomicReference<>();

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("no server certificate");
            }
            chain[0].checkValidity();
            pinned.compareAndSet(null, chain[0]);
            if (!pinned.get().equals(chain[0])) {
                throw new CertificateException("the server's certificate changed since the first read");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client, not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("a client, not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a client, not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /**
     * Just enough JSON for the adapter's answers: objects become maps, arrays lists, numbers their text
     * (so {@code 503} prints as {@code 503}), strings, booleans and null themselves.
     */
    private static final class Json {

        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object document() {
            Object value = value();
            skipSpace();
            if (at != text.length()) {
                throw error("trailing text");
            }
            return value;
        }

        private Object value() {
            skipSpace();
            if (at >= text.length()) {
                throw error("end of text");
            }
            char c = text.charAt(at);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            skipSpace();
            if (peek('}')) {
                return map;
            }
            do {
                skipSpace();
                String key = string();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
            } while (peek(','));
            expect('}');
            return map;
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            skipSpace();
            if (peek(']')) {
                return list;
            }
            do {
                list.add(value());
                skipSpace();
            } while (peek(','));
            expect(']');
            return list;
        }

        private String string() {
            expect('"');
            var out = new StringBuilder();
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    break;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> out.append(e);
                }
            }
            throw error("unterminated string");
        }

        private String number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            if (start == at) {
                throw error("unexpected character");
            }
            return text.substring(start, at);
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw error("unexpected word");
            }
            at += word.length();
            return value;
        }

        private boolean peek(char c) {
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + at);
        }
    }
}
