package io.externalmetrics.adapter.check;

import java.util.Objects;

/**
 * What one rule found about one subject.
 *
 * @param rule    the rule checked
 * @param verdict PASS, WARN (a "should" broken) or FAIL (a "must" broken)
 * @param subject what was checked: a metric ({@code team-a/queue-depth}), or {@code Describe}, {@code Watch}
 * @param message what happened, and for WARN and FAIL what to change
 */
record Finding(Rule rule, Verdict verdict, String subject, String message) {

    enum Verdict { PASS, WARN, FAIL }

    Finding {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(message, "message");
    }
}
