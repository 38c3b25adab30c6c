package io.externalmetrics.adapter.provider;

import java.util.Optional;
import java.util.regex.Pattern;

/** Kubernetes' syntax for label keys and values, applied to providers' series. */
final class LabelRules {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private LabelRules() {
    }

    /** What is wrong with a label key, if anything. */
    static Optional<String> keyProblem(String key) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return Optional.of("label key \"" + key + "\": the prefix must be a DNS subdomain of at most 253 characters");
            }
        }
        if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
            return Optional.of("label key \"" + key + "\": the name must be 1-63 characters of [A-Za-z0-9._-], "
                    + "starting and ending with a letter or digit");
        }
        return Optional.empty();
    }

    /** What is wrong with a label value, if anything. */
    static Optional<String> valueProblem(String key, String value) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (value.length() > 63 || !NAME.matcher(value).matches()) {
            return Optional.of("label \"" + key + "\": value \"" + abbreviate(value)
                    + "\" must be at most 63 characters of [A-Za-z0-9._-], starting and ending with a letter or digit");
        }
        return Optional.empty();
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
