package io.externalmetrics.provider;

import java.util.regex.Pattern;

/** Kubernetes label and name syntax checks, with messages that name the offending argument. */
final class Labels {

    // k8s.io/apimachinery/pkg/util/validation: qualified name, label value, DNS-1123 subdomain/label.
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS1123_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final int NAME_MAX = 63;
    private static final int PREFIX_MAX = 253;

    private Labels() {
    }

    /** Checks a label key: optional DNS-1123 subdomain prefix and "/", then a name. */
    static String checkKey(String argument, String key) {
        if (key == null) {
            throw new NullPointerException(argument + " must not be null");
        }
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > PREFIX_MAX
                    || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
                throw invalid(argument, key, "label key",
                        "its prefix before '/' must be a lowercase DNS subdomain of at most "
                                + PREFIX_MAX + " characters, such as example.com");
            }
        }
        if (name.isEmpty() || name.length() > NAME_MAX || !NAME.matcher(name).matches()) {
            throw invalid(argument, key, "label key",
                    "its name must be 1 to " + NAME_MAX + " characters of [A-Za-z0-9._-],"
                            + " starting and ending with a letter or digit");
        }
        return key;
    }

    /** Checks a label value: empty, or a name of at most 63 characters. */
    static String checkValue(String argument, String value) {
        if (value == null) {
            throw new NullPointerException(argument + " must not be null");
        }
        if (value.length() > NAME_MAX || !(value.isEmpty() || NAME.matcher(value).matches())) {
            throw invalid(argument, value, "label value",
                    "it must be empty or at most " + NAME_MAX + " characters of [A-Za-z0-9._-],"
                            + " starting and ending with a letter or digit");
        }
        return value;
    }

    /** Checks a namespace: {@link Namespace#ALL} or a Kubernetes namespace name. */
    static String checkNamespace(String argument, String namespace) {
        if (namespace == null) {
            throw new NullPointerException(argument + " must not be null");
        }
        if (!namespace.equals(Namespace.ALL)
                && (namespace.length() > NAME_MAX || !DNS1123_LABEL.matcher(namespace).matches())) {
            throw new IllegalArgumentException(argument + ": " + quote(namespace)
                    + " is neither \"*\" (Namespace.ALL) nor a Kubernetes namespace name"
                    + " (1 to 63 characters of [a-z0-9-], starting and ending with a letter or digit)");
        }
        return namespace;
    }

    /** Checks a metric name: non-empty, one URL path segment, no whitespace or control characters. */
    static String checkMetricName(String argument, String name) {
        if (name == null) {
            throw new NullPointerException(argument + " must not be null");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException(argument + " must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // The adapter serves the name as one segment of a URL path.
            if (c == '/' || c == '%' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException(argument + ": " + quote(name)
                        + " must not contain '/', '%', whitespace or control characters"
                        + " (a name such as \"queue-depth\" is the safe choice)");
            }
        }
        return name;
    }

    static String quote(String s) {
        return '"' + s + '"';
    }

    private static IllegalArgumentException invalid(String argument, String actual, String what,
            String rule) {
        return new IllegalArgumentException(argument + ": " + quote(actual)
                + " is not a valid Kubernetes " + what + ": " + rule);
    }
}
