package io.externalmetrics.adapter.k8s;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Pattern;

/** Go-style durations ({@code 1s}, {@code 500ms}, {@code 1m30s}), as Kubernetes users write them. */
public final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private Durations() {
    }

    /**
     * Parses a duration such as {@code 2s}, {@code 1.5s}, {@code 250ms} or {@code 1h30m}.
     *
     * @throws IllegalArgumentException naming the text when it is not a duration
     */
    public static Duration parse(String text) {
        String s = text.strip();
        if (s.isEmpty() || s.length() > 64) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (e.g. 500ms, 2s, 1m30s)");
        }
        var matcher = PART.matcher(s);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < s.length()) {
            if (!matcher.find(at) || matcher.start() != at) {
                throw new IllegalArgumentException("\"" + text + "\" is not a duration (e.g. 500ms, 2s, 1m30s)");
            }
            BigDecimal number = new BigDecimal(matcher.group(1));
            long nanosPerUnit = switch (matcher.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            try {
                long nanos = number.multiply(BigDecimal.valueOf(nanosPerUnit)).longValueExact();
                total = total.plusNanos(nanos);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("\"" + text + "\" is out of range or finer than a nanosecond");
            }
            at = matcher.end();
        }
        return total;
    }

    /** Formats a duration the way {@link #parse} reads it, e.g. {@code 1m30s}, {@code 250ms}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        var out = new StringBuilder();
        long hours = d.toHours();
        int minutes = d.toMinutesPart();
        int seconds = d.toSecondsPart();
        int nanos = d.toNanosPart();
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        if (nanos == 0) {
            if (seconds > 0) {
                out.append(seconds).append('s');
            }
        } else if (seconds > 0 || hours > 0 || minutes > 0) {
            out.append(BigDecimal.valueOf(seconds).add(BigDecimal.valueOf(nanos, 9))
                            .stripTrailingZeros().toPlainString())
                    .append('s');
        } else if (nanos % 1_000_000 == 0) {
            out.append(nanos / 1_000_000).append("ms");
        } else if (nanos % 1_000 == 0) {
            out.append(nanos / 1_000).append("us");
        } else {
            out.append(nanos).append("ns");
        }
        return out.toString();
    }
}
