package io.externalmetrics.adapter.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonLogFormatterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonLogFormatter formatter = new JsonLogFormatter();

    private static LogRecord record(Level level, String message, Object... parameters) {
        var record = new LogRecord(level, message);
        record.setLoggerName("io.externalmetrics.adapter.provider.ProviderRuntime");
        record.setInstant(Instant.parse("2026-11-30T10:00:01.234567Z"));
        record.setParameters(parameters.length == 0 ? null : parameters);
        return record;
    }

    /** The formatted record: exactly one line, and one JSON object on it. */
    private JsonNode format(LogRecord record) throws Exception {
        String line = formatter.format(record);
        assertThat(line).endsWith("\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n", "\r");
        return MAPPER.readTree(line);
    }

    @Test
    void aRecord_hasTimeLevelLoggerMessageAndThread() throws Exception {
        JsonNode json = format(record(Level.WARNING, "provider \"p\" is down"));

        assertThat(json.get("time").asText()).isEqualTo("2026-11-30T10:00:01.234Z");
        assertThat(json.get("level").asText()).isEqualTo("WARNING");
        assertThat(json.get("logger").asText()).isEqualTo("io.externalmetrics.adapter.provider.ProviderRuntime");
        assertThat(json.get("message").asText()).isEqualTo("provider \"p\" is down");
        assertThat(json.get("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(json.has("error")).isFalse();
        assertThat(json.size()).isEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "quotes \" and \\ backslashes",
        "two\nlines\r\nand a tab\t",
        "control \u0000 \u0001 \u001b[31m \u007f \u2028 \u2029",
        "unicode: é 日本語 😀 \uD83D\uDE00",
        "braces {not a parameter} and 'apostrophes'",
        "</script><b>markup</b>"})
    void anyMessage_comesBackUnchanged_onOneLine(String message) throws Exception {
        assertThat(format(record(Level.INFO, message)).get("message").asText()).isEqualTo(message);
    }

    @Test
    void parameters_areFilledIn() throws Exception {
        JsonNode json = format(record(Level.INFO, "provider \"{0}\" at {1}: serving {2} metrics", "p\n",
                "127.0.0.1:50051", 3));

        assertThat(json.get("message").asText()).isEqualTo("provider \"p\n\" at 127.0.0.1:50051: serving 3 metrics");
    }

    @Test
    void anException_isTheError_withClassMessageAndStackTrace() throws Exception {
        var record = record(Level.SEVERE, "request /apis failed");
        record.setThrown(new IllegalStateException("bad \"state\"\nsecond line",
                new java.io.IOException("cause")));

        JsonNode error = format(record).get("error");

        assertThat(error.get("class").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(error.get("message").asText()).isEqualTo("bad \"state\"\nsecond line");
        assertThat(error.get("stackTrace").asText())
                .startsWith("java.lang.IllegalStateException: bad \"state\"\nsecond line")
                .contains("\tat io.externalmetrics.adapter.logging.JsonLogFormatterTest.",
                        "Caused by: java.io.IOException: cause");
    }

    @Test
    void anExceptionWithoutMessage_hasNoMessageField() throws Exception {
        var record = record(Level.SEVERE, "failed");
        record.setThrown(new NullPointerException());

        JsonNode error = format(record).get("error");

        assertThat(error.get("class").asText()).isEqualTo("java.lang.NullPointerException");
        assertThat(error.has("message")).isFalse();
    }

    @Test
    void aRecordFromAnotherThread_namesItsThreadById() throws Exception {
        var record = record(Level.INFO, "elsewhere");
        record.setLongThreadID(Thread.currentThread().threadId() + 1_000_000);

        assertThat(format(record).get("thread").asText())
                .isEqualTo("thread-" + (Thread.currentThread().threadId() + 1_000_000));
    }
}
