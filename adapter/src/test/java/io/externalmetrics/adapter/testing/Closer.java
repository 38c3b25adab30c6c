package io.externalmetrics.adapter.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test registers (adapters, providers, servers, log captures), newest first, after
 * each test even when it fails; the first failure to close is thrown, later ones suppressed in it.
 *
 * <pre>{@code @RegisterExtension final Closer closer = new Closer();}</pre>
 */
public final class Closer implements AfterEachCallback {

    // registered and closed on the test's thread
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** Closes {@code resource} after the test; returns it. */
    public <T extends AutoCloseable> T register(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
