package io.externalmetrics.adapter.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The port a provider process of another language prints ("listening on HOST:PORT") on its stdout,
 * read on a thread of its own that keeps draining the output afterwards, so the process never blocks on
 * a full pipe.
 */
public final class ListeningPort {

    private ListeningPort() {
    }

    /**
     * Starts reading {@code process}'s stdout.
     *
     * @param listening a pattern whose group 1 is the port
     * @return the port, once printed; completed exceptionally when stdout ends first
     */
    public static CompletableFuture<Integer> of(Process process, Pattern listening, String threadName) {
        var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(threadName).start(() -> {
            try {
                for (String line; (line = reader.readLine()) != null; ) { // keeps draining after the port
                    Matcher m = listening.matcher(line);
                    if (!port.isDone() && m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
                port.completeExceptionally(new IllegalStateException("stdout ended"));
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
        });
        return port;
    }
}
