package io.externalmetrics.adapter;

import io.externalmetrics.adapter.config.AdapterConfig;
import io.externalmetrics.adapter.config.ConfigException;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.logging.RateLimitedLog;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Re-reads the configuration file when its content changes and hands a valid new configuration
 * on; an invalid one, or one that fails to apply, is logged and the old one stays in force.
 * Compares content rather than relying on file events, so Kubernetes' symlink swaps of mounted
 * ConfigMaps are seen too.
 */
final class ConfigWatcher {

    private static final System.Logger LOG = System.getLogger(ConfigWatcher.class.getName());

    private final Path file;
    // read every poll: a file that stays unreadable is said once per interval
    private final RateLimitedLog unreadable;
    private final Consumer<AdapterConfig> apply;
    private byte[] lastSeen;

    ConfigWatcher(Path file, Consumer<AdapterConfig> apply) {
        this(file, apply, System::nanoTime);
    }

    /** @param ticker nanoseconds, as {@link System#nanoTime()}: paces the warnings about an unreadable file */
    ConfigWatcher(Path file, Consumer<AdapterConfig> apply, LongSupplier ticker) {
        this.file = file;
        this.apply = apply;
        this.unreadable = new RateLimitedLog(LOG, RateLimitedLog.INTERVAL, ticker);
        this.lastSeen = read();
    }

    /** Checks the file once; returns whether a new configuration was applied. Not thread-safe: one caller. */
    boolean check() {
        byte[] now = read();
        if (now == null || Arrays.equals(now, lastSeen)) {
            return false;
        }
        lastSeen = now;
        AdapterConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            LOG.log(Level.ERROR, "configuration change rejected, the previous configuration stays in force: {0}",
                    e.getMessage());
            return false;
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "configuration change could not be read, the previous configuration stays in force",
                    e);
            return false;
        }
        LOG.log(Level.INFO, "configuration {0} changed: applying it", file);
        try {
            apply.accept(config);
        } catch (RuntimeException e) {
            // thrown out of a scheduled task it would end all later checks, without a word
            LOG.log(Level.ERROR, "configuration change could not be applied, the previous configuration stays in force",
                    e);
            return false;
        }
        return true;
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            unreadable.log(Level.WARNING, "cannot read configuration " + file + " (" + e
                    + "); keeping the current one");
            return null;
        }
    }
}
