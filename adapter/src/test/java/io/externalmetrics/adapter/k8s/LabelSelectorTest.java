package io.externalmetrics.adapter.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelSelectorTest {

    // ---- shared vectors (checked against kubectl's Go code) ------------------------------------------

    /**
     * Includes selectors with consecutive commas ({@code x in (a,,)}, with a note): Kubernetes accepts them
     * since 1.35 and the vectors give the HEAD output, which we follow.
     */
    static Stream<Arguments> parseOkVectors() {
        return Vectors.load("selector_vectors.json", "parse_ok").stream().map(v -> argumentSet(
                GoText.quote(Vectors.text(v, "in")) + " -> " + GoText.quote(Vectors.text(v, "string")), v));
    }

    @ParameterizedTest
    @MethodSource("parseOkVectors")
    void parse_okVector_printsGoString(JsonNode vector) {
        String in = Vectors.text(vector, "in");

        String printed = LabelSelector.parse(in).toString();

        assertThat(printed).as("parse(%s).toString()", GoText.quote(in)).isEqualTo(Vectors.text(vector, "string"));
        if (vector.has("go_test_string")) {
            assertThat(printed).isEqualTo(Vectors.text(vector, "go_test_string"));
        }
    }

    static Stream<Arguments> parseErrorVectors() {
        return Vectors.load("selector_vectors.json", "parse_error").stream()
                .map(JsonNode::asText)
                .map(in -> argumentSet(GoText.quote(in), in));
    }

    @ParameterizedTest
    @MethodSource("parseErrorVectors")
    void parse_errorVector_throws(String in) {
        assertThatThrownBy(() -> LabelSelector.parse(in))
                .as("parse(%s)", GoText.quote(in))
                .isInstanceOf(SelectorParseException.class)
                .hasMessageNotContaining("null");
    }

    static Stream<Arguments> matchVectors() {
        return Vectors.load("selector_vectors.json", "match").stream().map(v -> argumentSet(
                GoText.quote(Vectors.text(v, "selector")) + " on " + labels(v) + " -> " + v.path("matches").asBoolean(),
                v));
    }

    @ParameterizedTest
    @MethodSource("matchVectors")
    void matches_vector_agreesWithGo(JsonNode vector) {
        LabelSelector selector = LabelSelector.parse(Vectors.text(vector, "selector"));
        assertThat(vector.get("matches").isBoolean()).as("vector has a boolean 'matches'").isTrue();

        assertThat(selector.matches(labels(vector)))
                .as("%s matches %s", GoText.quote(selector.toString()), labels(vector))
                .isEqualTo(vector.get("matches").asBoolean());
    }

    private static Map<String, String> labels(JsonNode vector) {
        Map<String, String> labels = new LinkedHashMap<>();
        vector.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    // ---- messages a user can act on ------------------------------------------------------------------

    static Stream<Arguments> badSelectors() {
        return Stream.of(
                argumentSet("space in key", "x y=z",
                        "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"),
                argumentSet("bad key", "x_=a",
                        "unable to parse requirement: invalid label key \"x_\": name part must consist of "
                                + "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                                + "alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')"),
                argumentSet("bad prefix", "Ex.com/k",
                        "unable to parse requirement: invalid label key \"Ex.com/k\": prefix part a lowercase "
                                + "RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                                + "'.', and must start and end with an alphanumeric character (e.g. 'example.com')"),
                argumentSet("bad value", "x=a_",
                        "unable to parse requirement: invalid value \"a_\" for label \"x\": a valid label must be "
                                + "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
                                + "start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or "
                                + "'12345')"),
                argumentSet("gt needs an integer", "x>a",
                        "unable to parse requirement: invalid value \"a\": for 'gt', 'lt' operators, the value "
                                + "must be an integer"),
                argumentSet("trailing comma", "x=a,", "found end of string, expected: identifier after ','"),
                argumentSet("unclosed set", "x in (a",
                        "unable to parse requirement: found end of string, expected: ',' or ')'"),
                argumentSet("leading comma", ",x", "found ',', expected: !, identifier, or 'end of string'"),
                argumentSet("operator after !key", "!x=a", "found '=', expected: ',' or 'end of string'"));
    }

    @ParameterizedTest
    @MethodSource("badSelectors")
    void parse_invalid_explainsProblem(String selector, String message) {
        assertThatThrownBy(() -> LabelSelector.parse(selector))
                .isInstanceOf(SelectorParseException.class)
                .hasMessage(message);
    }

    @Test
    void parse_tooLong_throwsWithoutEchoingInput() {
        String longest = "a" + ",a".repeat(4999) + " ";
        assertThat(longest).hasSize(LabelSelector.MAX_LENGTH);
        assertThat(LabelSelector.parse(longest).matches(Map.of("a", "1"))).isTrue();

        assertThatThrownBy(() -> LabelSelector.parse(longest + " "))
                .isInstanceOf(SelectorParseException.class)
                .hasMessage("label selector is 10001 characters long, more than the 10000 allowed");
    }

    // ---- behaviour -----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n"})
    void isEmpty_blankSelector_matchesEverything(String blank) {
        LabelSelector selector = LabelSelector.parse(blank);

        assertThat(selector.isEmpty()).isTrue();
        assertThat(selector.matches(Map.of())).isTrue();
        assertThat(selector.matches(Map.of("app", "web"))).isTrue();
        assertThat(selector).hasToString("");
    }

    @Test
    void matches_missingKey_onlyNegativeRequirementsMatch() {
        Map<String, String> none = Map.of();

        assertThat(LabelSelector.parse("x!=a").matches(none)).isTrue();
        assertThat(LabelSelector.parse("x notin (a)").matches(none)).isTrue();
        assertThat(LabelSelector.parse("!x").matches(none)).isTrue();
        assertThat(LabelSelector.parse("x=a").matches(none)).isFalse();
        assertThat(LabelSelector.parse("x in (a)").matches(none)).isFalse();
        assertThat(LabelSelector.parse("x").matches(none)).isFalse();
        assertThat(LabelSelector.parse("x>1").matches(none)).isFalse();
    }

    @Test
    void matches_gtOnNonIntegerLabel_doesNotMatch() {
        LabelSelector selector = LabelSelector.parse("replicas>3");

        assertThat(selector.matches(Map.of("replicas", "4"))).isTrue();
        assertThat(selector.matches(Map.of("replicas", "four"))).isFalse();
        assertThat(selector.matches(Map.of("replicas", "\u0664"))).isFalse(); // Arabic-Indic 4: not for Go
    }

    @Test
    void equals_sameCanonicalString_isEqual() {
        LabelSelector a = LabelSelector.parse("y in (c,b), x=a");
        LabelSelector b = LabelSelector.parse("x=a,y in (b,c)");

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).hasToString("x=a,y in (b,c)");
        assertThat(a).isNotEqualTo(LabelSelector.parse("x==a,y in (b,c)"));
    }

    @Test
    void rejectedBy_namesTheFirstFailingRequirement_inPrintedOrder_orNothingWhenItMatches() {
        LabelSelector selector = LabelSelector.parse("zone in (a,b),app=web,!canary");

        assertThat(selector.rejectedBy(Map.of("app", "web", "zone", "a"))).isEmpty();
        assertThat(selector.rejectedBy(Map.of("app", "db", "zone", "c"))).contains("app=web");
        assertThat(selector.rejectedBy(Map.of("app", "web", "zone", "c"))).contains("zone in (a,b)");
        assertThat(selector.rejectedBy(Map.of("app", "web", "zone", "a", "canary", ""))).contains("!canary");
    }

    @Test
    void requiredLabels_listsEqualsInExistsAndComparisons_notTheRequirementsAMissingLabelSatisfies() {
        LabelSelector selector = LabelSelector.parse("zone in (b,a),app==web,tier=,canary,!beta,x!=y,y notin (z),n>1");

        assertThat(selector.requiredLabels()).containsExactly(
                new LabelSelector.RequiredLabel("app", List.of("web")),
                new LabelSelector.RequiredLabel("canary", List.of()),
                new LabelSelector.RequiredLabel("n", List.of()),
                new LabelSelector.RequiredLabel("tier", List.of("")),
                new LabelSelector.RequiredLabel("zone", List.of("a", "b")));
        assertThat(LabelSelector.parse("x!=y,!z").requiredLabels()).isEmpty();
        assertThat(LabelSelector.parse("").requiredLabels()).isEmpty();
    }
}
