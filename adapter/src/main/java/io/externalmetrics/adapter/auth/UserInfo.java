package io.externalmetrics.adapter.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An authenticated caller, as Kubernetes' {@code user.Info} has it.
 *
 * @param name   the user name, never empty
 * @param uid    the user's uid; empty when unknown
 * @param groups the groups, in the order given
 * @param extra  further attributes (for example scopes), by key
 */
public record UserInfo(String name, String uid, List<String> groups, Map<String, List<String>> extra) {

    public UserInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uid, "uid");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a user name must not be empty");
        }
        groups = List.copyOf(groups);
        var copy = new LinkedHashMap<String, List<String>>();
        extra.forEach((key, values) -> copy.put(key, List.copyOf(values)));
        extra = Collections.unmodifiableMap(copy);
    }

    /** A user with groups only. */
    public static UserInfo of(String name, List<String> groups) {
        return new UserInfo(name, "", groups, Map.of());
    }
}
