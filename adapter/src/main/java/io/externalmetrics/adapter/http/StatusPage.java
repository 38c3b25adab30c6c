package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.cache.Failure;
import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.MetricState;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.Recent;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /debug/}: one HTML page for a person, rendered on the server from the cache: providers and
 * their state, then every metric with its value, an age bar against its max age, its last error and a
 * sparkline of its {@linkplain Recent recent values}. No script, no external resource (styles and SVG are
 * inline), so it works through {@code kubectl port-forward} on a machine without network. Every text from
 * outside (metric names, labels, provider names, error messages) is escaped.
 */
final class StatusPage {

    static final int SPARK_WIDTH = 120;
    static final int SPARK_HEIGHT = 24;
    private static final String STYLE = """
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f24;background:#fff}
            h1{font-size:1.3em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}
            table{border-collapse:collapse;width:100%}
            th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #d8dee4;vertical-align:middle}
            th{background:#f3f5f7;font-weight:600}
            .ok{color:#1a7f37}.bad,td.error{color:#cf222e}.muted{color:#6e7781}.pending{color:#9a6700}
            td.value{white-space:nowrap}
            .bar{width:120px;height:10px;background:#eaeef2;border-radius:3px;overflow:hidden}
            .fill{height:100%;background:#2da44e}.fill.stale{background:#cf222e}
            svg.spark polyline{fill:none;stroke:#0969da;stroke-width:1.5}
            svg.spark circle{fill:#0969da}
            code{font:12px ui-monospace,monospace}
            """;

    private StatusPage() {
    }

    /** The page for {@code providers} and {@code metrics} at {@code now}. */
    static byte[] render(List<ProviderState> providers, List<MetricState> metrics, Map<MetricKey, Long> fetches,
                         Instant now) {
        var html = new StringBuilder(4096 + 1024 * metrics.size());
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width\">")
                .append("<title>externalmetrics adapter</title><style>").append(STYLE).append("</style></head><body>\n")
                .append("<h1>externalmetrics adapter</h1><div class=\"muted\">at <time>")
                .append(ExternalMetricJson.timestamp(now)).append("</time> &middot; ")
                .append(metrics.size()).append(metrics.size() == 1 ? " metric" : " metrics")
                .append(" &middot; JSON: <a href=\"/debug/inventory\">/debug/inventory</a>, ")
                .append("<a href=\"/metrics\">/metrics</a></div>\n");
        providers(html, providers);
        metrics(html, metrics, fetches, now);
        html.append("</body></html>\n");
        return html.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void providers(StringBuilder html, List<ProviderState> providers) {
        html.append("<h2>Providers</h2>\n<table id=\"providers\"><tr><th>Provider</th><th>Target</th><th>State</th>")
                .append("<th>Connection</th><th>Describe</th></tr>\n");
        for (ProviderState provider : providers) {
            html.append("<tr><td>").append(escape(provider.name())).append("</td><td><code>")
                    .append(escape(provider.target())).append("</code></td><td class=\"")
                    .append(provider.reached() ? "ok\">reached" : "bad\">not reached").append("</td><td class=\"")
                    .append(connectivityClass(provider.connectivity())).append("\">")
                    .append(provider.connectivity().words()).append(" <span class=\"muted\">since <time>")
                    .append(ExternalMetricJson.timestamp(provider.since())).append("</time></span></td><td>")
                    .append(escape(provider.describe())).append("</td></tr>\n");
        }
        if (providers.isEmpty()) {
            html.append("<tr><td colspan=\"5\" class=\"muted\">no providers configured</td></tr>\n");
        }
        html.append("</table>\n");
    }

    /** Green when connected, red when down, amber in between (idle or connecting). */
    private static String connectivityClass(ProviderState.Connectivity connectivity) {
        if (connectivity == ProviderState.Connectivity.READY) {
            return "ok";
        }
        return connectivity.down() ? "bad" : "pending";
    }

    private static void metrics(StringBuilder html, List<MetricState> metrics, Map<MetricKey, Long> fetches,
                                Instant now) {
        html.append("<h2>Metrics</h2>\n<table id=\"metrics\"><tr><th>Namespace</th><th>Metric</th><th>Provider</th>")
                .append("<th>Value</th><th>Recent</th><th>Age / max age</th><th>On error</th><th>Fetches</th>")
                .append("<th>Last error</th></tr>\n");
        for (MetricState state : metrics) {
            MetricKey key = state.info().key();
            boolean fresh = state.isFresh(now);
            html.append("<tr class=\"metric\" data-metric=\"").append(escape(key.toString())).append("\"><td>")
                    .append(escape(key.namespace())).append("</td><td><a href=\"").append(explainLink(key))
                    .append("\">").append(escape(key.name())).append("</a>")
                    .append(state.retiredAt().isPresent() ? " <span class=\"muted\">(retired)</span>" : "")
                    .append("</td><td>").append(escape(state.info().provider())).append("</td><td class=\"value\">")
                    .append(value(state)).append("</td><td>").append(sparkline(state.recent())).append("</td><td>");
            ageBar(html, state, fresh, now);
            html.append("</td><td>").append(escape(state.info().onError().toString())).append("</td><td>")
                    .append(fetches.getOrDefault(key, 0L)).append("</td><td class=\"error\">")
                    .append(state.failure().map(StatusPage::failure).orElse("<span class=\"muted\">none</span>"))
                    .append("</td></tr>\n");
        }
        if (metrics.isEmpty()) {
            html.append("<tr><td colspan=\"9\" class=\"muted\">no metrics registered</td></tr>\n");
        }
        html.append("</table>\n");
    }

    /** {@code /debug/explain} of a read of the metric in its own namespace (or {@code default} for {@code *}). */
    private static String explainLink(MetricKey key) {
        String namespace = key.namespace().equals(MetricKey.ALL_NAMESPACES) ? "default" : key.namespace();
        return "/debug/explain?format=text&amp;namespace=" + escape(urlEncode(namespace)) + "&amp;metric="
                + escape(urlEncode(key.name()));
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String value(MetricState state) {
        if (state.sample().isEmpty()) {
            return "<span class=\"muted\">no value yet</span>";
        }
        Sample sample = state.sample().get();
        String base = sample.base().map(StatusPage::escape).orElse("<span class=\"muted\">no base</span>");
        int series = sample.series().size();
        return base + (series == 0 ? "" : " <span class=\"muted\">+ " + series + " series</span>");
    }

    private static void ageBar(StringBuilder html, MetricState state, boolean fresh, Instant now) {
        Duration maxAge = state.info().maxAge();
        Optional<Duration> age = state.age(now);
        if (age.isEmpty()) {
            html.append("<span class=\"muted\">no value</span> / ").append(Durations.format(maxAge));
            return;
        }
        double ratio = Math.max(0, Math.min(1, (double) age.get().toMillis() / maxAge.toMillis()));
        html.append("<div class=\"bar\" title=\"").append(fresh ? "fresh" : "stale").append("\"><div class=\"fill")
                .append(fresh ? "" : " stale").append("\" style=\"width:")
                .append(String.format(Locale.ROOT, "%.1f", ratio * 100)).append("%\"></div></div>")
                .append("<span class=\"").append(fresh ? "ok" : "bad").append("\">")
                .append(MetricCache.formatAge(age.get())).append("</span> / ").append(Durations.format(maxAge));
    }

    private static String failure(Failure failure) {
        return escape(failure.message()) + "<br><span class=\"muted\">since "
                + ExternalMetricJson.timestamp(failure.since()) + ", " + failure.count() + " failed</span>";
    }

    /**
     * An inline SVG polyline of {@code recent}, oldest on the left, scaled between its lowest and highest
     * value (a flat line in the middle when they are equal); one point per value.
     */
    static String sparkline(Recent recent) {
        double[] values = recent.values();
        if (values.length == 0) {
            return "<span class=\"muted\">-</span>";
        }
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            low = Math.min(low, v);
            high = Math.max(high, v);
        }
        double step = values.length == 1 ? 0 : (double) (SPARK_WIDTH - 2) / (Recent.CAPACITY - 1);
        double left = SPARK_WIDTH - 1 - step * (values.length - 1); // the newest value at the right edge
        var points = new StringBuilder();
        double x = 0;
        double y = 0;
        for (int i = 0; i < values.length; i++) {
            x = left + step * i;
            y = high == low ? SPARK_HEIGHT / 2.0 : 1 + (SPARK_HEIGHT - 2) * (high - values[i]) / (high - low);
            points.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
        }
        return "<svg class=\"spark\" width=\"" + SPARK_WIDTH + "\" height=\"" + SPARK_HEIGHT + "\" viewBox=\"0 0 "
                + SPARK_WIDTH + " " + SPARK_HEIGHT + "\" role=\"img\" data-points=\"" + values.length + "\">"
                + "<title>last " + values.length + " values: " + number(low) + " to " + number(high) + "</title>"
                + "<polyline points=\"" + points + "\"/>"
                + String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.8\"/>", x, y) + "</svg>";
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Text as HTML element content or a double-quoted attribute value. */
    static String escape(String text) {
        var out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
