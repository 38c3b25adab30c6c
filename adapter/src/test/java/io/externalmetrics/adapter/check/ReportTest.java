package io.externalmetrics.adapter.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The report's text: one line per finding, whatever a provider put in its messages. */
class ReportTest {

    @Test
    void text_escapesControlCharactersOfAProvidersMessage_eachFindingStaysOneLine() {
        var report = new Report("127.0.0.1:1", Optional.empty(), List.of(
                Rule.FETCH.broken("*/m", "Fetch answered INTERNAL: line one\nline two\tand\u0007 a bell"),
                Rule.REPLY.passed("*/n", "fine")));

        List<String> lines = report.text().lines().toList();

        assertThat(lines).hasSize(3);
        assertThat(lines.getFirst()).contains("line one\\nline two\\u0009and\\u0007 a bell");
    }

    @Test
    void oneLine_keepsPrintableTextAsItIs() {
        assertThat(Report.oneLine("größe \"ok\" ✓")).isEqualTo("größe \"ok\" ✓");
    }
}
