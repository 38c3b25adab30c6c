package io.externalmetrics.adapter.auth;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The front proxy's identity headers, as k8s.io/apiserver's request-header authenticator reads them:
 * trusted only on a connection whose client certificate verifies against the request-header CA and,
 * when names are listed, carries an allowed common name; from anyone else they are ignored. The
 * user is the first non-empty username header (without one the request is not authenticated here),
 * the uid likewise, the groups every non-empty value of every group header, and the extra
 * attributes every header with an extra prefix, keyed by the rest of its name, lower-cased and
 * %-unescaped.
 *
 * <p>The settings are held as one value that {@link #replace} swaps: the CA file's reload and the
 * ConfigMap reader ({@code fromCluster}) both replace them while requests are served.
 */
public final class RequestHeaderAuthenticator implements RequestAuthenticator {

    private final Clock clock;
    private final AtomicReference<Optional<RequestHeaderSettings>> settings;

    /** Starts with {@code settings}. */
    public RequestHeaderAuthenticator(RequestHeaderSettings settings, Clock clock) {
        this(Optional.of(Objects.requireNonNull(settings, "settings")), clock);
    }

    private RequestHeaderAuthenticator(Optional<RequestHeaderSettings> settings, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = new AtomicReference<>(settings);
    }

    /** Starts without settings (authenticating nobody) until {@link #replace} gives some: the ConfigMap's. */
    public static RequestHeaderAuthenticator awaitingSettings(Clock clock) {
        return new RequestHeaderAuthenticator(Optional.empty(), clock);
    }

    /** The settings in use; empty before any were given. */
    public Optional<RequestHeaderSettings> settings() {
        return settings.get();
    }

    /** Replaces every setting at once; requests after this see only the new ones. */
    public void replace(RequestHeaderSettings next) {
        settings.set(Optional.of(Objects.requireNonNull(next, "next")));
    }

    @Override
    public Optional<UserInfo> authenticate(AuthRequest request) {
        Optional<RequestHeaderSettings> current = settings.get();
        if (current.isEmpty() || request.peerCertificates().isEmpty()) {
            return Optional.empty();
        }
        RequestHeaderSettings s = current.get();
        Optional<X509Certificate> proxy = s.ca().verify(request.peerCertificates(), clock.instant());
        if (proxy.isEmpty()) {
            return Optional.empty();
        }
        if (!s.allowedNames().isEmpty()
                && CertificateNames.commonName(proxy.get()).filter(s.allowedNames()::contains).isEmpty()) {
            return Optional.empty();
        }
        Optional<String> name = first(request, s.usernameHeaders());
        if (name.isEmpty()) {
            return Optional.empty();
        }
        String uid = first(request, s.uidHeaders()).orElse("");
        List<String> groups = new ArrayList<>();
        for (String header : s.groupHeaders()) {
            request.headers(header).stream().filter(v -> !v.isEmpty()).forEach(groups::add);
        }
        return Optional.of(new UserInfo(name.get(), uid, groups, extra(request, s.extraHeaderPrefixes())));
    }

    private static Optional<String> first(AuthRequest request, List<String> headers) {
        for (String header : headers) {
            List<String> values = request.headers(header);
            if (!values.isEmpty() && !values.getFirst().isEmpty()) {
                return Optional.of(values.getFirst());
            }
        }
        return Optional.empty();
    }

    private static Map<String, List<String>> extra(AuthRequest request, List<String> prefixes) {
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (String prefix : prefixes) {
            for (String header : request.headerNames()) {
                if (header.length() < prefix.length() || !header.regionMatches(true, 0, prefix, 0, prefix.length())) {
                    continue;
                }
                String key = pathUnescape(header.substring(prefix.length()).toLowerCase(Locale.ROOT));
                extra.computeIfAbsent(key, k -> new ArrayList<>()).addAll(request.headers(header));
            }
        }
        return extra;
    }

    /** Go's {@code url.PathUnescape}; a malformed key is kept as sent, as Kubernetes keeps it. */
    static String pathUnescape(String key) {
        if (key.indexOf('%') < 0) {
            return key;
        }
        var bytes = new ByteArrayOutputStream();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (i + 2 >= key.length() || Character.digit(key.charAt(i + 1), 16) < 0
                    || Character.digit(key.charAt(i + 2), 16) < 0) {
                return key;
            }
            bytes.write(Character.digit(key.charAt(i + 1), 16) * 16 + Character.digit(key.charAt(i + 2), 16));
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return key;
        }
    }
}
