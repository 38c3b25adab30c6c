package io.externalmetrics.adapter.security;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A CA bundle kept in step with its file (the front proxy's CA, the client CA), which rotates like
 * the serving certificate: {@link #check} re-reads it, and a changed bundle that reads is handed
 * to the listener given at load; one that does not read is logged once and the previous bundle
 * stays in use.
 */
public final class CaBundleFile {

    private static final System.Logger LOG = System.getLogger(CaBundleFile.class.getName());

    private final Path file;
    private final String what;
    private final Consumer<ClientCaBundle> onChange;
    private final FileReloader reloader;
    private volatile ClientCaBundle current;

    private CaBundleFile(Path file, String what, Consumer<ClientCaBundle> onChange, FileReloader reloader,
                         ClientCaBundle current) {
        this.file = file;
        this.what = what;
        this.onChange = onChange;
        this.reloader = reloader;
        this.current = current;
    }

    /**
     * Reads {@code file} for the first time.
     *
     * @param what     what the bundle is for, for log lines (e.g. "request-header CA")
     * @param onChange told every later bundle that was read and applied
     * @throws TlsSetupException naming the file, when it is missing, unreadable or holds no certificate
     */
    public static CaBundleFile load(Path file, String what, Consumer<ClientCaBundle> onChange) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(onChange, "onChange");
        var reloader = new FileReloader(List.of(file)); // content first: see FileReloader
        return new CaBundleFile(file, what, onChange, reloader, ClientCaBundle.read(file));
    }

    /** The bundle in use. */
    public ClientCaBundle current() {
        return current;
    }

    /**
     * Reads the file once; when its content changed and reads as a CA bundle, makes it current
     * and tells the listener.
     *
     * @return whether a new bundle was applied
     */
    public boolean check() {
        boolean applied = reloader.check(() -> {
            ClientCaBundle next = ClientCaBundle.read(file);
            current = next;
            onChange.accept(next);
        }, problem -> LOG.log(Level.WARNING, "{0} change not applied, the previous CA certificates stay in use: {1}",
                what, problem.getMessage()));
        if (applied) {
            LOG.log(Level.INFO, "{0} reloaded from {1}", what, file);
        }
        return applied;
    }
}
