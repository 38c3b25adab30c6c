package io.externalmetrics.adapter.auth;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code Authorization: Bearer <token>}, as k8s.io/apiserver's bearer token authenticator reads it
 * (the scheme in any case, the token the next space-separated part), checked by a
 * {@link TokenAuthenticator}, normally a TokenReview.
 */
public final class BearerTokenAuthenticator implements RequestAuthenticator {

    private final TokenAuthenticator tokens;

    public BearerTokenAuthenticator(TokenAuthenticator tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    @Override
    public Optional<UserInfo> authenticate(AuthRequest request) {
        List<String> values = request.headers("Authorization");
        if (values.isEmpty()) {
            return Optional.empty();
        }
        String[] parts = values.getFirst().strip().split(" ", 3);
        if (parts.length < 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer") || parts[1].isEmpty()) {
            return Optional.empty();
        }
        return tokens.authenticate(parts[1]);
    }
}
