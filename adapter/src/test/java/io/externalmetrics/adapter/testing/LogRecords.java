package io.externalmetrics.adapter.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Collects what one logger writes while open, so tests can assert what an operator would read. */
public final class LogRecords implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogRecords(Logger logger) {
        this.logger = logger;
    }

    /** Starts collecting the records of the logger {@code name} (System.getLogger's names are JUL's). */
    public static LogRecords of(String name) {
        var records = new LogRecords(Logger.getLogger(name));
        records.logger.addHandler(records.handler);
        return records;
    }

    /** The messages logged at {@code level} or above, formatted, each with its exception's class if any. */
    public List<String> atLeast(Level level) {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= level.intValue())
                .map(r -> formatter.formatMessage(r) + (r.getThrown() == null ? "" : " [" + r.getThrown() + "]"))
                .toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
