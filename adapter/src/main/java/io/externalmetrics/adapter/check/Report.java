package io.externalmetrics.adapter.check;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The findings of one check, as text for a person or JSON for a machine, and the exit code they
 * make: 0 nothing failed, 1 a rule failed, 2 the provider could not be reached.
 *
 * <p>The JSON shape (stable: fields are only ever added):
 * <pre>{@code
 * {"target": "127.0.0.1:50051",
 *  "connected": true,
 *  "error": "...",                       (only when not connected)
 *  "results": [{"rule": "reply-finite", "verdict": "FAIL", "subject": "team-a/queue-depth",
 *               "message": "...", "must": true, "proto": "FetchResponse", "quote": "Values must be finite: ..."}],
 *  "summary": {"pass": 12, "warn": 1, "fail": 1},
 *  "exitCode": 1}
 * }</pre>
 *
 * @param target   the provider checked
 * @param error    why it could not be reached; empty when it was
 * @param findings every rule's finding, in the order made
 */
record Report(String target, Optional<String> error, List<Finding> findings) {

    static final int EXIT_PASSED = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_UNREACHABLE = 2;

    Report {
        findings = List.copyOf(findings);
    }

    int exitCode() {
        if (error.isPresent()) {
            return EXIT_UNREACHABLE;
        }
        return count(Finding.Verdict.FAIL) > 0 ? EXIT_FAILED : EXIT_PASSED;
    }

    long count(Finding.Verdict verdict) {
        return findings.stream().filter(f -> f.verdict() == verdict).count();
    }

    /**
     * One line per finding ({@code VERDICT rule subject: message}, and for WARN and FAIL the proto's
     * words after it), then the summary.
     */
    String text() {
        var out = new StringBuilder();
        int width = Arrays.stream(Rule.values()).mapToInt(r -> r.id().length()).max().orElseThrow(); // stable
        for (Finding f : findings) {
            out.append(("%-4s  %-" + width + "s  %s: %s")
                    .formatted(f.verdict(), f.rule().id(), oneLine(f.subject()), oneLine(f.message())));
            if (f.verdict() != Finding.Verdict.PASS) {
                out.append("  [provider.proto, ").append(f.rule().where()).append(": \"")
                        .append(f.rule().quote()).append("\"]");
            }
            out.append('\n');
        }
        error.ifPresent(e -> out.append("cannot check ").append(target).append(": ").append(oneLine(e)).append('\n'));
        out.append("check-provider ").append(target).append(": ").append(summary()).append('\n');
        return out.toString();
    }

    /** Control characters (a provider's message may hold any) escaped, so each finding stays one line. */
    static String oneLine(String text) {
        var out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\n') {
                out.append("\\n");
            } else if (Character.isISOControl(c)) {
                out.append("\\u%04x".formatted(c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private String summary() {
        if (error.isPresent()) {
            return "not reached (exit code " + EXIT_UNREACHABLE + ")";
        }
        long fail = count(Finding.Verdict.FAIL);
        long warn = count(Finding.Verdict.WARN);
        return count(Finding.Verdict.PASS) + " passed, " + warn + (warn == 1 ? " warning, " : " warnings, ")
                + fail + " failed" + (fail > 0 ? " (exit code " + EXIT_FAILED + ")" : "");
    }

    /** The JSON object described in the class comment, on one line. */
    String json() {
        var writer = new StringWriter();
        try (JsonGenerator json = new JsonFactory().createGenerator(writer)) {
            json.writeStartObject();
            json.writeStringField("target", target);
            json.writeBooleanField("connected", error.isEmpty());
            if (error.isPresent()) {
                json.writeStringField("error", error.get());
            }
            json.writeArrayFieldStart("results");
            for (Finding f : findings) {
                json.writeStartObject();
                json.writeStringField("rule", f.rule().id());
                json.writeStringField("verdict", f.verdict().name());
                json.writeStringField("subject", f.subject());
                json.writeStringField("message", f.message());
                json.writeBooleanField("must", f.rule().must());
                json.writeStringField("proto", f.rule().where());
                json.writeStringField("quote", f.rule().quote());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeObjectFieldStart("summary");
            json.writeNumberField("pass", count(Finding.Verdict.PASS));
            json.writeNumberField("warn", count(Finding.Verdict.WARN));
            json.writeNumberField("fail", count(Finding.Verdict.FAIL));
            json.writeEndObject();
            json.writeNumberField("exitCode", exitCode());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writer + "\n";
    }
}
