package io.externalmetrics.adapter.check;

/**
 * One rule of the provider contract, in the proto's own words: a "must" ({@link #must}) fails the
 * check when broken, a "should" warns.
 *
 * @param id    a stable name, printed on every line and in the JSON output
 * @param where the proto element whose comment states the rule
 * @param quote the comment's words
 */
enum Rule {
    DESCRIBE("describe", true, "MetricProvider.Describe, DescribeResponse.metrics",
            "Describe must answer the list, or UNIMPLEMENTED [...] Every metric this provider serves: a metric it "
                    + "leaves out is not served."),
    DESCRIPTOR("descriptor", true, "MetricDescriptor.metric",
            "`namespace` is \"*\" (or \"\", the same) for every namespace, or a namespace name [...] A descriptor "
                    + "must follow these rules: one breaking them is skipped"),
    DESCRIPTOR_DURATIONS("descriptor-durations", true, "MetricDescriptor.max_age",
            "A descriptor's durations must be valid and in range: one whose interval or max_age is out of range, "
                    + "or not a valid Duration, is skipped"),
    DESCRIBE_UNIQUE("describe-unique", true, "DescribeResponse.metrics",
            "Two entries must not name the same (namespace, name)."),
    FETCH("fetch", true, "MetricProvider (header)", "What a provider must implement: [...] Fetch: required."),
    REPLY("reply", true, "FetchResponse",
            "Values must be finite [...] Label keys and values must follow Kubernetes' label syntax [...] Two series "
                    + "must not have the same labels."),
    REPLY_FINITE("reply-finite", true, "FetchResponse",
            "Values must be finite: NaN and infinities are an error, the adapter rejects the whole reply"),
    REPLY_LABELS("reply-labels", true, "FetchResponse.series",
            "Label keys and values must follow Kubernetes' label syntax"),
    REPLY_UNIQUE_SERIES("reply-unique-series", true, "FetchResponse.series",
            "Two series must not have the same labels."),
    REPLY_LIMITS("reply-limits", true, "FetchResponse",
            "A reply must also stay within the adapter's limits [...] or it is rejected whole."),
    REPLY_OBSERVED_AT("reply-observed-at", true, "FetchResponse.observed_at",
            "It must be a valid Timestamp (nanos 0 to 999,999,999) within years 0001 to 9999."),
    REPLY_WINDOW("reply-window", true, "FetchResponse.window", "It must not be negative."),
    REPLY_FRESH("reply-fresh", false, "FetchResponse.observed_at",
            "It also counts towards the value's age: a value is stale once either its fetch or this time is older "
                    + "than the metric's max age [...] So a provider's observed_at should be within the metric's "
                    + "max age of now"),
    CLOCK_SKEW("clock-skew", false, "FetchResponse.observed_at",
            "A time further in the future than the adapter's allowance for clock skew (default 30s) is not "
                    + "believed: the time of receipt is used. A provider's clock should therefore be synchronized "
                    + "(NTP) with the adapter's."),
    DEADLINE("deadline", true, "MetricProvider.Fetch",
            "a reply after the deadline is discarded, so Fetch must answer within it."),
    CONCURRENT("concurrent", true, "MetricProvider.Fetch",
            "calls for different metrics, and from several adapter replicas, overlap: a provider must answer "
                    + "concurrent calls."),
    FETCH_NAMESPACED("fetch-namespaced", true, "MetricProvider (header), MetricRef.namespace",
            "a Fetch of a metric this provider does not serve must answer NOT_FOUND, never a value. [...] A read "
                    + "for namespace N finds the metric registered in N, else the one registered in \"*\"."),
    NOT_FOUND("not-found", true, "MetricProvider (header)",
            "a Fetch of a metric this provider does not serve must answer NOT_FOUND, never a value."),
    ERROR_MESSAGE("error-message", false, "MetricProvider (header)",
            "Errors: answer a gRPC status with a message a person can act on (an error should never come without "
                    + "one)"),
    WATCH("watch", false, "MetricProvider (header), MetricProvider.Watch",
            "Watch: optional, though a provider with push metrics should implement it. [...] The stream should "
                    + "stay open for the life of the provider"),
    WATCH_FIRST_EVENT("watch-first-event", false, "MetricProvider.Watch",
            "A provider should send one event per watched metric as a stream opens");

    private final String id;
    private final boolean must;
    private final String where;
    private final String quote;

    Rule(String id, boolean must, String where, String quote) {
        this.id = id;
        this.must = must;
        this.where = where;
        this.quote = quote;
    }

    String id() {
        return id;
    }

    /** Whether the proto says "must": broken, it fails the check; else it warns. */
    boolean must() {
        return must;
    }

    String where() {
        return where;
    }

    String quote() {
        return quote;
    }

    /** The finding of this rule broken: FAIL for a "must", WARN for a "should". */
    Finding broken(String subject, String message) {
        return new Finding(this, must ? Finding.Verdict.FAIL : Finding.Verdict.WARN, subject, message);
    }

    Finding passed(String subject, String message) {
        return new Finding(this, Finding.Verdict.PASS, subject, message);
    }
}
