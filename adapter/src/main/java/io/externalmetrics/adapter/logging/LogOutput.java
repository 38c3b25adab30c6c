package io.externalmetrics.adapter.logging;

import io.externalmetrics.adapter.config.LogFormat;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
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
}
