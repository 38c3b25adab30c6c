package io.externalmetrics.adapter.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Kubernetes' validation of label keys and values ({@code content.IsLabelKey}, {@code IsLabelValue}),
 * with Go's explanations minus the regular expressions.
 */
public final class LabelRules {

    static final int NAME_MAX = 63;
    static final int VALUE_MAX = 63;
    static final int PREFIX_MAX = 253;

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private static final String NAME_RULE = "must consist of alphanumeric characters, '-', '_' or '.', "
            + "and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')";
    private static final String VALUE_RULE = "a valid label must be an empty string or consist of alphanumeric "
            + "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
            + "(e.g. 'MyValue', 'my_value' or '12345')";
    private static final String SUBDOMAIN_RULE = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
            + "(e.g. 'example.com')";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private LabelRules() {
    }

    /** Whether {@code name} is an RFC 1123 label, the rule for namespace names. */
    public static boolean isDnsLabel(String name) {
        return DNS_LABEL.matcher(name).matches();
    }

    /**
     * Whether {@code key} is a label key without a prefix, found by one scan of its characters: the
     * common case, checked without the regular expressions or a list of errors. False for any other key,
     * valid or not: {@link #keyErrors} then says.
     */
    public static boolean isPlainKey(String key) {
        return key.length() <= NAME_MAX && isName(key, false);
    }

    /** Whether {@code value} is a label value ({@link #valueErrors} is empty), found by one scan. */
    public static boolean isValue(String value) {
        return value.length() <= VALUE_MAX && isName(value, true);
    }

    /**
     * Whether {@code s} matches {@code ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]}, or is empty when
     * {@code emptyAllowed}.
     */
    private static boolean isName(String s, boolean emptyAllowed) {
        int last = s.length() - 1;
        if (last < 0) {
            return emptyAllowed;
        }
        if (!isAlphanumeric(s.charAt(0)) || !isAlphanumeric(s.charAt(last))) {
            return false;
        }
        for (int i = 1; i < last; i++) {
            char c = s.charAt(i);
            if (!isAlphanumeric(c) && c != '-' && c != '_' && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphanumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** Why {@code key} is not a label key ({@code [prefix/]name}); empty when it is one. */
    public static List<String> keyErrors(String key) {
        List<String> errors = new ArrayList<>();
        String[] parts = key.split("/", -1);
        if (parts.length > 2) {
            return List.of("a valid label key " + NAME_RULE
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        }
        if (parts.length == 2) {
            String prefix = parts[0];
            if (prefix.isEmpty()) {
                errors.add("prefix part must be non-empty");
            } else {
                if (prefix.length() > PREFIX_MAX) {
                    errors.add("prefix part must be no more than " + PREFIX_MAX + " bytes");
                }
                if (!DNS_SUBDOMAIN.matcher(prefix).matches()) {
                    errors.add("prefix part " + SUBDOMAIN_RULE);
                }
            }
        }
        String name = parts[parts.length - 1];
        if (name.isEmpty()) {
            errors.add("name part must be non-empty");
        } else if (name.length() > NAME_MAX) {
            errors.add("name part must be no more than " + NAME_MAX + " bytes");
        }
        if (!NAME.matcher(name).matches()) {
            errors.add("name part " + NAME_RULE);
        }
        return errors;
    }

    /** Why {@code value} is not a label value; empty when it is one (the empty string is one). */
    public static List<String> valueErrors(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > VALUE_MAX) {
            errors.add("must be no more than " + VALUE_MAX + " bytes");
        }
        if (!VALUE.matcher(value).matches()) {
            errors.add(VALUE_RULE);
        }
        return errors;
    }
}
