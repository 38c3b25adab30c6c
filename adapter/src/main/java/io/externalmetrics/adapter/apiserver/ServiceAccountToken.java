package io.externalmetrics.adapter.apiserver;

import io.fabric8.kubernetes.client.OAuthTokenProvider;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The service account token a projected volume mounts and the kubelet rotates (by default hourly, valid for
 * longer): fabric8 asks for it before each request; the file is read again once the last read is older than
 * {@code reread}. A failed read keeps the token read before (it is still valid for a while) and logs.
 */
final class ServiceAccountToken implements OAuthTokenProvider {

    private static final System.Logger LOG = System.getLogger(ServiceAccountToken.class.getName());

    private final Path file;
    private final long rereadNanos;
    private final LongSupplier ticker;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private String token;
    private long readAt;

    ServiceAccountToken(Path file, Duration reread, LongSupplier ticker) {
        this.file = file;
        this.rereadNanos = reread.toNanos();
        this.ticker = ticker;
    }

    @Override
    public String getToken() {
        lock.lock();
        try {
            long now = ticker.getAsLong();
            if (token == null || now - readAt >= rereadNanos) {
                read(now);
            }
            return token;
        } finally {
            lock.unlock();
        }
    }

    private void read(long now) {
        try {
            String read = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (read.isEmpty()) {
                throw new IOException("the file is empty");
            }
            token = read;
        } catch (IOException e) {
            if (token == null) {
                throw new IllegalStateException("cannot read the service account token " + file + ": "
                        + e.getClass().getSimpleName());
            }
            LOG.log(Level.WARNING, "cannot read the service account token {0} ({1}); using the one read before",
                    file, e.getClass().getSimpleName());
        }
        readAt = now; // after a failure too: tried again in a minute, not before every request
    }
}
