package io.externalmetrics.adapter.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Writes a log record as one JSON object on one line, for log collectors: {@code time} (RFC 3339,
 * UTC, milliseconds), {@code level}, {@code logger}, {@code message} (with its parameters filled in),
 * {@code thread} and, when the record has an exception, {@code error} with its {@code class},
 * {@code message} and {@code stackTrace}. Jackson escapes the strings, so newlines, quotes and
 * control characters in a message never break a line.
 */
public final class JsonLogFormatter extends Formatter {

    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Override
    public String format(LogRecord record) {
        var text = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("time", TIME.format(record.getInstant()));
            json.writeStringField("level", record.getLevel().getName());
            json.writeStringField("logger", String.valueOf(record.getLoggerName()));
            json.writeStringField("message", formatMessage(record));
            json.writeStringField("thread", threadName(record));
            Throwable error = record.getThrown();
            if (error != null) {
                json.writeObjectFieldStart("error");
                json.writeStringField("class", error.getClass().getName());
                if (error.getMessage() != null) {
                    json.writeStringField("message", error.getMessage());
                }
                json.writeStringField("stackTrace", stackTrace(error));
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.append('\n').toString();
    }

    /** Handlers format on the thread that logs; a record published elsewhere names its thread by id. */
    private static String threadName(LogRecord record) {
        Thread current = Thread.currentThread();
        return current.threadId() == record.getLongThreadID()
                ? current.getName()
                : "thread-" + record.getLongThreadID();
    }

    private static String stackTrace(Throwable error) {
        var trace = new StringWriter();
        try (var out = new PrintWriter(trace)) {
            error.printStackTrace(out);
        }
        return trace.toString();
    }
}
