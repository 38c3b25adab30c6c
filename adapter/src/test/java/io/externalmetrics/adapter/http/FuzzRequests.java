package io.externalmetrics.adapter.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random requests for {@link FuzzTest}: paths, query strings, label selectors, headers and methods,
 * mostly near what the adapter serves (valid requests mutated a little) and some far from it
 * (noise, overlong parts). Request {@code i} of seed {@code s} is always the same request, so a
 * failure is reproduced by its seed.
 */
final class FuzzRequests {

    static final String VALUES = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final List<String> KNOWN_PATHS = List.of("/", "/apis", "/apis/", "/apis/external.metrics.k8s.io",
            "/apis/external.metrics.k8s.io/v1beta1", "/openapi/v2", "/openapi/v3",
            "/openapi/v3/apis/external.metrics.k8s.io/v1beta1", "/healthz", "/livez", "/readyz", "/readyz/providers",
            "/healthz/ping", "/livez/ping", "/readyz/nope", "/debug/inventory", "/metrics", "/version", "/api/v1");
    private static final List<String> NAMESPACES = List.of("default", "kube-system", "monitoring", "Default", "",
            "-a", "a-", "..", ".", "%2E%2E", "%2F", "*", "%2A", "a%2Fb", "%00", "ns%20x", "x".repeat(63),
            "x".repeat(64), "%", "%zz", "%C3%A9", "é", "日本");
    private static final List<String> METRICS = List.of("queue-depth", "base-only", "QUEUE-DEPTH", "Base-Only",
            "unknown", "queue-depth/", "..", ".", "%2E", "a%2Fb", "%2F", "%00", "%", "%zz", "%e2%82", "%C0%AF",
            "%E0%80%AF", "%u2215", "+", "a+b", ";", "a;b=c", "é", "%C3%A9", "日本", "\uD83D\uDE00", "%F0%9F%98%80",
            "m ", "m%20", "..%2F..%2Fetc%2Fpasswd", "%252F", "%%", "\\", "a\\b");
    private static final List<String> PATH_SPICES = List.of("/../", "/./", "//", "%2F", "%2f", "%00", "%", "%G1",
            "%2", "..;/", ";", "\\", "%5C", "%C0%AE%C0%AE/", "%uFF0F", "#frag", "?", "??", "/%2E%2E/", "é", "\u2215",
            "%ff", "%FE%FF", "*", "~", "@", ":", "$", "'");
    private static final List<String> KEYS = List.of("queue", "region", "some-key", "app.kubernetes.io/name",
            "example.com/tier", "a", "A_b.c", "x".repeat(63), "x".repeat(64), "p".repeat(253) + "/n",
            "p".repeat(254) + "/n", "-bad", "bad-", "a/b/c", "/n", "UPPER.example.com/n", "in", "notin");
    private static final List<String> VALUES_LIST = List.of("orders", "eu", "us", "", "A", "a.b_c-d", "v".repeat(63),
            "v".repeat(64), "-x", "x-", "3", "-3", "in", "notin", "é", "a b");
    private static final List<String> OPERATORS = List.of("=", "==", "!=", " in ", " notin ", "", "!", ">", "<", "=>",
            "===", "=!", "!!");
    private static final String NOISE = "=!(),<> \t\n\r\u0000%/\\\"'`;&+#?~é\u2028\uFFFF{}[]|^*";
    private static final List<String> ACCEPTS = List.of("application/vnd.kubernetes.protobuf, */*", "application/json",
            "*/*", "application/*", "application/vnd.kubernetes.protobuf", "text/plain", "application/json;q=0",
            "", ";;;,,,", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
            "APPLICATION/JSON", "application/json; charset=utf-8", "*/*;q=", "x/y;" + "a=b;".repeat(500));
    private static final List<String> METHODS = List.of("GET", "GET", "GET", "GET", "GET", "HEAD", "POST", "PUT",
            "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "get", "PRI");

    /**
     * One request as sent.
     *
     * @param method  the method
     * @param target  the request target as on the wire (path and query, already encoded or not)
     * @param headers header names and values, in order (names may repeat)
     * @param body    a body, empty for none
     */
    record Request(String method, String target, List<Map.Entry<String, String>> headers, String body) {

        /** The request, abbreviated for a failure report. */
        String describe() {
            var text = new StringBuilder(method).append(' ').append(abbreviate(target));
            for (Map.Entry<String, String> header : headers) {
                text.append(" | ").append(abbreviate(header.getKey())).append(": ")
                        .append(abbreviate(header.getValue()));
            }
            if (!body.isEmpty()) {
                text.append(" | body ").append(body.length()).append(" chars");
            }
            return text.length() <= 1000 ? text.toString() : text.substring(0, 1000) + "...(" + headers.size()
                    + " headers)";
        }

        private static String abbreviate(String s) {
            String shown = s.length() <= 120 ? s : s.substring(0, 100) + "...(" + s.length() + " chars)";
            var escaped = new StringBuilder();
            shown.codePoints().forEach(c -> {
                if (c < 0x20 || c == 0x7f) {
                    escaped.append(String.format("\\x%02x", c));
                } else {
                    escaped.appendCodePoint(c);
                }
            });
            return escaped.toString();
        }
    }

    private FuzzRequests() {
    }

    /** Request {@code index} of {@code seed}. */
    static Request generate(long seed, int index) {
        var random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (index + 1L)));
        String method = pick(random, METHODS);
        String target = path(random) + query(random);
        List<Map.Entry<String, String>> headers = headers(random);
        String body = "";
        if (random.nextInt(10) == 0) {
            body = random.nextBoolean() ? "{\"kind\":\"Status\"}" : noise(random, random.nextInt(1, 2000));
        }
        return new Request(method, target, headers, body);
    }

    // ---- paths ---------------------------------------------------------------------------------------

    private static String path(SplittableRandom random) {
        return switch (random.nextInt(12)) {
            case 0, 1 -> pick(random, KNOWN_PATHS);
            case 2, 3 -> mutate(random, pick(random, KNOWN_PATHS), PATH_SPICES);
            case 4, 5, 6, 7 -> VALUES + namespace(random) + "/" + metric(random)
                    + (random.nextInt(10) == 0 ? "/" + pick(random, METRICS) : "");
            case 8 -> mutate(random, VALUES + namespace(random) + "/" + metric(random), PATH_SPICES);
            case 9 -> "/" + encodeSome(random, noise(random, random.nextInt(1, 200)));
            case 10 -> switch (random.nextInt(6)) {
                case 0 -> "/" + "a".repeat(random.nextInt(1, 70_000));
                case 1 -> VALUES + "default/" + "m".repeat(random.nextInt(200, 70_000));
                case 2 -> "/apis" + "/..".repeat(random.nextInt(1, 3000));
                case 3 -> "/" + "%2F".repeat(random.nextInt(1, 20_000));
                case 4 -> VALUES + "default/" + "%C3%A9".repeat(random.nextInt(1, 12_000));
                default -> "/" + "//".repeat(random.nextInt(1, 5000)) + "apis";
            };
            default -> pick(random, List.of("*", "apis", "https://localhost/apis", "", "/%", "/?", "//apis",
                    "http://evil.example/apis", "/apis#x", "/\u0000", "/ /"));
        };
    }

    private static String namespace(SplittableRandom random) {
        return random.nextInt(3) == 0 ? randomLabel(random) : pick(random, NAMESPACES);
    }

    private static String metric(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0, 1 -> pick(random, METRICS.subList(0, 4));
            case 2 -> pick(random, METRICS);
            default -> encodeSome(random, noise(random, random.nextInt(1, 40)));
        };
    }

    private static String randomLabel(SplittableRandom random) {
        var label = new StringBuilder();
        int length = random.nextInt(1, 70);
        for (int i = 0; i < length; i++) {
            label.append("abcdefghijklmnopqrstuvwxyz0123456789-".charAt(random.nextInt(37)));
        }
        return label.toString();
    }

    // ---- query strings and selectors -----------------------------------------------------------------

    private static String query(SplittableRandom random) {
        return switch (random.nextInt(10)) {
            case 0, 1 -> "";
            case 2, 3, 4, 5 -> "?labelSelector=" + encodeQuery(random, selector(random));
            case 6 -> "?" + pick(random, List.of("labelSelector", "labelSelector=", "labelSelector=%",
                    "labelSelector=%zz",
                    "labelSelector=a%3Db;c", "a=b&labelSelector=queue%3Dorders&labelSelector=x", "&&&", "=", ";",
                    "verbose", "verbose=1&exclude=providers", "watch=true", "labelSelector=a=b=c", "%", "%%%",
                    "labelSelector=%E2%82", "labelSelector=%C0%AF", "labelSelector=+++", "labelSelector=%00"));
            case 7 -> "?" + encodeSome(random, noise(random, random.nextInt(1, 300)));
            case 8 -> "?labelSelector=" + switch (random.nextInt(5)) {
                case 0 -> "a%3Db%2C".repeat(random.nextInt(1000, 3000));
                case 1 -> "x".repeat(random.nextInt(9_990, 10_010));
                case 2 -> "(".repeat(random.nextInt(1, 20_000));
                case 3 -> "a".repeat(random.nextInt(60_000, 80_000));
                default -> "k+in+(" + "v,".repeat(random.nextInt(1, 8000)) + "v)";
            };
            default -> "?labelSelector=" + encodeQuery(random, selector(random)) + "&"
                    + "p=q&".repeat(random.nextInt(1, 500));
        };
    }

    /** A selector from the grammar, then, often, a few small mutations of it. */
    private static String selector(SplittableRandom random) {
        var requirements = new ArrayList<String>();
        int count = random.nextInt(1, 5);
        for (int i = 0; i < count; i++) {
            requirements.add(requirement(random));
        }
        String selector = String.join(random.nextInt(8) == 0 ? " , " : ",", requirements);
        int mutations = random.nextInt(3) == 0 ? 0 : random.nextInt(1, 4);
        for (int i = 0; i < mutations; i++) {
            selector = mutateSelector(random, selector);
        }
        return selector;
    }

    private static String requirement(SplittableRandom random) {
        String key = pick(random, KEYS);
        return switch (random.nextInt(8)) {
            case 0, 1 -> key + pick(random, List.of("=", "==", "!=")) + pick(random, VALUES_LIST);
            case 2 -> key + " in (" + String.join(",", values(random)) + ")";
            case 3 -> key + " notin (" + String.join(",", values(random)) + ")";
            case 4 -> key;
            case 5 -> "!" + key;
            case 6 -> key + pick(random, List.of(">", "<")) + pick(random, List.of("3", "-3", "x", "", "3.5"));
            default -> key + pick(random, OPERATORS) + pick(random, VALUES_LIST);
        };
    }

    private static List<String> values(SplittableRandom random) {
        var values = new ArrayList<String>();
        int count = random.nextInt(0, 4);
        for (int i = 0; i < count; i++) {
            values.add(pick(random, VALUES_LIST));
        }
        return values;
    }

    private static String mutateSelector(SplittableRandom random, String selector) {
        if (selector.isEmpty()) {
            return noise(random, 3);
        }
        int at = random.nextInt(selector.length() + 1);
        return switch (random.nextInt(6)) {
            case 0 -> selector.substring(0, at) + NOISE.charAt(random.nextInt(NOISE.length())) + selector.substring(at);
            case 1 -> at < selector.length() ? selector.substring(0, at) + selector.substring(at + 1) : selector;
            case 2 -> selector.substring(0, at);
            case 3 -> selector.substring(0, at) + selector + selector.substring(at);
            case 4 -> selector.substring(0, at) + pick(random, OPERATORS) + selector.substring(at);
            default -> selector.substring(0, at) + pick(random, List.of("(", ")", ",,", " in ", "!", "((", "()", "/"))
                    + selector.substring(at);
        };
    }

    /** Encodes a query value as clients do, in one of several styles (some of which are invalid on purpose). */
    private static String encodeQuery(SplittableRandom random, String value) {
        return switch (random.nextInt(5)) {
            case 0 -> percentAll(value);
            case 1 -> percentAll(value).replace("%20", "+"); // client-go and kubectl
            case 2 -> value; // raw: spaces and controls on the wire (only the raw HTTP/1.1 client sends them so)
            default -> encodeSome(random, value);
        };
    }

    // ---- headers -------------------------------------------------------------------------------------

    private static List<Map.Entry<String, String>> headers(SplittableRandom random) {
        var headers = new ArrayList<Map.Entry<String, String>>();
        if (random.nextInt(4) != 0) {
            headers.add(Map.entry("Accept", pick(random, ACCEPTS)));
        }
        int extra = random.nextInt(0, 5);
        for (int i = 0; i < extra; i++) {
            headers.add(switch (random.nextInt(11)) {
                case 0 -> Map.entry("Authorization", pick(random, List.of("Bearer ", "Basic ", "", "Negotiate "))
                        + headerValue(random));
                case 1 -> Map.entry("X-Remote-User", headerValue(random));
                case 2 -> Map.entry("X-Remote-Group", headerValue(random));
                case 3 -> Map.entry("X-Remote-Extra-" + token(random), headerValue(random));
                case 4 -> Map.entry("If-None-Match", headerValue(random));
                case 5 -> Map.entry(token(random), headerValue(random));
                case 6 -> Map.entry(pick(random, List.of("X-Remote-User", "Accept", "X-Big", "Cookie")),
                        "v".repeat(random.nextInt(1, 70_000)));
                case 7 -> Map.entry("X-Many", "m".repeat(random.nextInt(1, 100)));
                case 8 -> Map.entry(pick(random, List.of("Content-Type", "Content-Encoding", "Accept-Encoding",
                        "Accept-Charset", "Range", "Origin", "Forwarded", "X-Forwarded-For", "Impersonate-User",
                        "Impersonate-Group", "Expect", "TE", "Upgrade", "Via")), headerValue(random));
                case 9 -> Map.entry(pick(random, List.of("X Bad", "X:Bad", "(x)", "X\u00e9", "", "X\tY", "@")),
                        headerValue(random));
                default -> Map.entry("X-Remote-Extra-" + pick(random, List.of("scopes", "a%2Fb", "%", "é", "A_B")),
                        headerValue(random));
            });
        }
        if (random.nextInt(20) == 0) {
            int many = random.nextInt(50, 3000);
            for (int i = 0; i < many; i++) {
                headers.add(Map.entry("X-Remote-Group", "g" + i));
            }
        }
        return headers;
    }

    private static String headerValue(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> token(random);
            case 1 -> noise(random, random.nextInt(0, 60));
            case 2 -> "system:masters";
            case 3 -> "é日本\uD83D\uDE00";
            case 4 -> "x".repeat(random.nextInt(0, 9000));
            default -> "user-" + random.nextInt(100);
        };
    }

    private static String token(SplittableRandom random) {
        var token = new StringBuilder();
        int length = random.nextInt(1, 30);
        for (int i = 0; i < length; i++) {
            token.append("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_!#$&'*+.^`|~"
                    .charAt(random.nextInt(76)));
        }
        return token.toString();
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** Inserts a few of {@code spices} at random places of {@code path}. */
    private static String mutate(SplittableRandom random, String path, List<String> spices) {
        String mutated = path;
        int count = random.nextInt(1, 4);
        for (int i = 0; i < count; i++) {
            int at = random.nextInt(mutated.length() + 1);
            mutated = mutated.substring(0, at) + pick(random, spices) + mutated.substring(at);
        }
        return mutated;
    }

    private static String noise(SplittableRandom random, int length) {
        var noise = new StringBuilder();
        for (int i = 0; i < length; i++) {
            noise.append(random.nextInt(3) == 0
                    ? NOISE.charAt(random.nextInt(NOISE.length()))
                    : (char) random.nextInt(0x21, 0x7f));
        }
        return noise.toString();
    }

    /** Percent-encodes every byte but unreserved characters. */
    static String percentAll(String s) {
        var out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        return out.toString();
    }

    /** Percent-encodes each character with probability one half, leaving the rest raw. */
    private static String encodeSome(SplittableRandom random, String s) {
        var out = new StringBuilder();
        s.codePoints().forEach(c -> out.append(random.nextBoolean() ? percentAll(Character.toString(c))
                : Character.toString(c)));
        return out.toString();
    }

    private static <T> T pick(SplittableRandom random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }
}
