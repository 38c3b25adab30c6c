package io.externalmetrics.adapter.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The rules are the proto's own words: each quote is in its comments, and "must" fails where "should" warns. */
class RuleTest {

    private static final Path PROTO = Path.of("../proto/src/main/proto/externalmetrics/v1/provider.proto");

    /** The proto's comments as one line of text, each run of spaces one space. */
    private static String protoComments() throws Exception {
        assertThat(PROTO).as("the contract, from the adapter module's directory").isRegularFile();
        return Files.readAllLines(PROTO, StandardCharsets.UTF_8).stream()
                .map(String::strip)
                .filter(line -> line.startsWith("//"))
                .map(line -> line.substring(2).strip())
                .collect(Collectors.joining(" "))
                .replaceAll("\\s+", " ");
    }

    @Test
    void everyQuote_isInTheProtosComments() throws Exception {
        String comments = protoComments();

        for (Rule rule : Rule.values()) {
            for (String part : rule.quote().split("\\[\\.\\.\\.]")) {
                assertThat(comments).as("rule %s quotes the proto", rule.id()).contains(part.strip());
            }
        }
    }

    @Test
    void aMustFails_aShouldWarns() {
        for (Rule rule : Rule.values()) {
            assertThat(rule.quote()).as(rule.id()).contains(rule.must() ? "must" : "should");
            assertThat(rule.broken("s", "m").verdict())
                    .isEqualTo(rule.must() ? Finding.Verdict.FAIL : Finding.Verdict.WARN);
        }
    }

    @Test
    void ids_areUnique() {
        assertThat(Arrays.stream(Rule.values()).map(Rule::id)).doesNotHaveDuplicates();
    }
}
