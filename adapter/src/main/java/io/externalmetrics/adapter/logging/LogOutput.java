package io.externalmetrics.adapter.logging;

import io.externalmetrics.adapter.config.LogFormat;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Puts the configured {@link LogFormat} into effect, once at start: the handlers {@code
 * logging.properties} set up keep their destination and levels, and with {@code json} they format
 * each record as a JSON line ({@link JsonLogFormatter}). A change of {@code logFormat} in a reloaded
 * configuration takes effect after a restart: switching formats mid-stream would leave a file a
 * collector parses half in one format and half in the other.
 */
public final class LogOutput {

    private LogOutput() {
    }

    /** Formats what the root logger's handlers write as {@code format} says. */
    public static void install(LogFormat format) {
        if (format == LogFormat.TEXT) {
            return; // logging.properties' format
        }
        Logger root = Logger.getLogger("");
        Handler[] handlers = root.getHandlers();
        if (handlers.length == 0) { // logging configured elsewhere without a handler: write to stderr
            root.addHandler(new ConsoleHandler());
            handlers = root.getHandlers();
        }
        for (Handler handler : handlers) {
            handler.setFormatter(new JsonLogFormatter());
        }
    }

    /**
     * Where Main prints its own lines (that it serves, that it stops: printed, not logged, since the JDK's
     * logging may be shut down by its own hook by then): {@code out} itself with {@code text}; with
     * {@code json} a stream that writes each {@code println} to {@code out} as an INFO record of
     * {@code logger}, so that standard output holds JSON lines only.
     */
    public static PrintStream console(LogFormat format, PrintStream out, String logger) {
        return format == LogFormat.TEXT ? out : new JsonLines(out, logger);
    }

    /** Turns each line printed into a JSON record; only {@code println} of a string or object is meant for it. */
    private static final class JsonLines extends PrintStream {

        private final PrintStream out;
        private final String logger;
        private final JsonLogFormatter formatter = new JsonLogFormatter();

        JsonLines(PrintStream out, String logger) {
            super(out, true, StandardCharsets.UTF_8);
            this.out = out;
            this.logger = logger;
        }

        @Override
        public void println(String line) {
            var record = new LogRecord(Level.INFO, line);
            record.setLoggerName(logger);
            out.print(formatter.format(record));
            out.flush();
        }

        @Override
        public void println(Object line) {
            println(String.valueOf(line));
        }
    }
}
