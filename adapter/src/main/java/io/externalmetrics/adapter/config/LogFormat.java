package io.externalmetrics.adapter.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How log records are written ({@code logFormat}): lines of text for people, or JSON lines for collectors. */
public enum LogFormat {
    /** One line of text per record: time, level, logger, message. */
    TEXT,
    /** One JSON object per line: time, level, logger, message, thread and the exception if any. */
    JSON;

    /** The name as written in the configuration. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format written as {@code name} in the configuration, if there is one. */
    static Optional<LogFormat> of(String name) {
        return Arrays.stream(values()).filter(f -> f.configName().equals(name)).findFirst();
    }
}
