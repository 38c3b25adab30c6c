package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: Debian's {@code chromium}, headless, against a running adapter with a
 * provider shaped like the demo's ({@code incrementable} with series {@code some-key=A|B|C}, and one metric
 * that fails). The DOM it
 * builds shows the metrics, and a screenshot lands in {@code target/status-page.png} for reviewers.
 * Chromium is required ({@code ./run-tests} installs it): without it this test fails saying so.
 */
class StatusPageBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration BROWSER_TIMEOUT = Duration.ofSeconds(90);
    private static final Path SCREENSHOT = Path.of("target", "status-page.png");
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** The browser's path: {@code chromium} on the PATH; fails the test naming the package when missing. */
    private static Path chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new AssertionError("chromium is not installed (no chromium on the PATH): install Debian's package "
                + "with `apt-get install -y chromium`; ./run-tests installs it when run as root");
    }

    /** Runs headless chromium with {@code args}; kills it (and what it started) when it outlives the timeout. */
    private static Result browse(Path profile, Path output, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium().toString(), "--headless", "--no-sandbox",
                "--ignore-certificate-errors", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectOutput(output.toFile())
                .redirectError(output.resolveSibling(output.getFileName() + ".err").toFile())
                .start();
        try {
            boolean exited = process.waitFor(BROWSER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(exited).as("chromium exited within " + BROWSER_TIMEOUT).isTrue();
            return new Result(process.exitValue(), Files.readString(output),
                    Files.readString(output.resolveSibling(output.getFileName() + ".err")));
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    /** The status page's table row of {@code metric} (in every namespace), from its DOM. */
    private static String row(String dom, String metric) {
        int start = dom.indexOf("data-metric=\"*/" + metric + "\"");
        assertThat(start).as("a row of " + metric + " in\n" + dom).isNotNegative();
        return dom.substring(start, dom.indexOf("</tr>", start));
    }

    @Test
    void statusPage_rendersInChromium_showingTheDemosMetrics_andAScreenshotIsWritten(@TempDir Path dir)
            throws Exception {
        var counter = new AtomicLong();
        try (MetricProviderServer provider = MetricProviderServer.builder()
                .port(0)
                .addMetric(Namespace.ALL, "incrementable", Trigger.every(Duration.ofMillis(200)), request -> {
                    long n = counter.incrementAndGet();
                    return Value.of(n).withSelector("some-key", "A", n).withSelector("some-key", "B", 2 * n)
                            .withSelector("some-key", "C", 3 * n);
                })
                .addMetric(Namespace.ALL, "failing", Trigger.every(Duration.ofSeconds(1)), request -> {
                    throw new IllegalStateException("the backend is down");
                })
                .build()
                .start();
             TestAdapter adapter = TestAdapter.withProviders("""
                       - name: example
                         target: 127.0.0.1:%d
                 """.formatted(provider.port()))) {
            Await.until("a few values of incrementable, and a failure", WAIT, () -> counter.get() >= 5
                    && adapter.read("incrementable").statusCode() == 200
                    && adapter.cache().inventory().stream().anyMatch(state -> state.failure().isPresent()));
            String url = "https://127.0.0.1:" + adapter.port() + "/debug/";

            Result dom = browse(dir.resolve("profile-dom"), dir.resolve("dom.html"), "--dump-dom", url);

            assertThat(dom.exit()).as(dom.stderr()).isZero();
            assertThat(dom.stdout()).as(dom.stderr()).contains("<h1>externalmetrics adapter</h1>",
                    "<svg class=\"spark\"", "<polyline points=");
            // each metric's row: its provider, and its value cell (a number and its series, or none yet)
            assertThat(row(dom.stdout(), "incrementable")).contains(">incrementable</a>", "<td>example</td>")
                    .containsPattern("<td class=\"value\">\\d+ <span class=\"muted\">\\+ 3 series</span></td>");
            assertThat(row(dom.stdout(), "failing")).contains(">failing</a>", "<td>example</td>",
                    "<td class=\"value\"><span class=\"muted\">no value yet</span></td>");

            Files.deleteIfExists(SCREENSHOT);
            Files.createDirectories(SCREENSHOT.getParent());
            Result shot = browse(dir.resolve("profile-shot"), dir.resolve("shot.txt"),
                    "--screenshot=" + SCREENSHOT.toAbsolutePath(), "--window-size=1200,900",
                    "--hide-scrollbars", url);

            assertThat(shot.exit()).as(shot.stderr()).isZero();
            assertThat(SCREENSHOT).as(shot.stderr()).exists();
            byte[] png = Files.readAllBytes(SCREENSHOT);
            assertThat(png).hasSizeGreaterThan(10_000).startsWith(PNG_SIGNATURE);
            ByteBuffer header = ByteBuffer.wrap(png, 16, 8); // IHDR: width, height
            assertThat(header.getInt()).isEqualTo(1200);
            assertThat(header.getInt()).isEqualTo(900);
        }
    }
}
