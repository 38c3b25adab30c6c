package io.externalmetrics.adapter.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.externalmetrics.adapter.k8s.Quantity.Format;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

    /**
     * Vectors whose note says Go's decimal SI printing drops the magnitude (1e21 prints as "1"). The adapter
     * prints exponent form instead; tools/k8s-quantity confirms Go parses and prints each of these back
     * unchanged. A new lossy vector fails until it is added here.
     */
    private static final Map<String, String> EXPONENT_FORM_WHERE_GO_IS_LOSSY = Map.of(
            "1000000000000000000000", "1e21",
            "1000E", "1e21",
            "2000000E", "2e24",
            "10000000000000000000000", "10e21",
            "100000000000000000000000", "100e21",
            "-1000000000000000000000", "-1e21",
            "-10000000000000000000000", "-10e21");

    // ---- shared vectors (checked against kubectl's Go code) ------------------------------------------

    static Stream<Arguments> canonicalVectors() {
        return Vectors.load("quantity_vectors.json", "canonical").stream().map(v -> argumentSet(
                GoText.quote(Vectors.text(v, "in")) + " -> " + Vectors.text(v, "value_canonical"), v));
    }

    @ParameterizedTest
    @MethodSource("canonicalVectors")
    void parse_canonicalVector_printsGoCanonicalAndFormat(JsonNode vector) {
        String in = Vectors.text(vector, "in");
        String goCanonical = Vectors.text(vector, "value_canonical");

        Quantity quantity = Quantity.parse(in);

        assertThat(quantity.format()).as("parse(%s).format()", GoText.quote(in))
                .isEqualTo(goFormat(Vectors.text(vector, "format")));
        assertThat(quantity.canonical()).as("parse(%s).canonical()", GoText.quote(in))
                .isEqualTo(adapterOutput(vector, in, goCanonical));
    }

    static Stream<Arguments> invalidVectors() {
        return Vectors.load("quantity_vectors.json", "invalid").stream()
                .map(JsonNode::asText)
                .map(in -> argumentSet(GoText.quote(in), in));
    }

    @ParameterizedTest
    @MethodSource("invalidVectors")
    void parse_invalidVector_throwsQuotingInput(String in) {
        assertThatThrownBy(() -> Quantity.parse(in))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid quantity " + GoText.quote(in) + ": ");
    }

    static Stream<Arguments> doubleVectors() {
        return Vectors.load("quantity_vectors.json", "decimal_from_double").stream().map(v -> argumentSet(
                Vectors.text(v, "repr") + " -> " + Vectors.text(v, "canonical"), v));
    }

    @ParameterizedTest
    @MethodSource("doubleVectors")
    void format_doubleVector_printsGoCanonical(JsonNode vector) {
        String text = Vectors.text(vector, "double");
        double value = Double.parseDouble(text);
        assertThat(Double.parseDouble(Vectors.text(vector, "repr"))).isEqualTo(value);

        assertThat(Quantity.format(value)).as("format(%s)", text)
                .isEqualTo(adapterOutput(vector, text, Vectors.text(vector, "canonical")));
    }

    @ParameterizedTest
    @MethodSource("doubleVectors")
    void format_doubleVector_parsesBackToSameValue(JsonNode vector) {
        double value = Double.parseDouble(Vectors.text(vector, "double"));
        BigDecimal exact = new BigDecimal(Double.toString(value));
        BigDecimal roundedUpToNano = exact.scale() > 9 ? exact.setScale(9, RoundingMode.UP) : exact;

        assertThat(Quantity.parse(Quantity.format(value)).value()).as("parse(format(%s)).value()", value)
                .isEqualByComparingTo(roundedUpToNano);
    }

    /** What the adapter prints: Go's canonical text, except exponent form where Go's is lossy. */
    private static String adapterOutput(JsonNode vector, String in, String goCanonical) {
        String note = vector.path("note").asText("");
        if (!note.contains("exponent > 18") && !note.contains("exponent is > 18")) {
            return goCanonical;
        }
        assertThat(EXPONENT_FORM_WHERE_GO_IS_LOSSY)
                .as("lossy vector %s needs its expected exponent form in EXPONENT_FORM_WHERE_GO_IS_LOSSY", in)
                .containsKey(in);
        String ours = EXPONENT_FORM_WHERE_GO_IS_LOSSY.get(in);
        // Go prints the same mantissa and drops the exponent; we keep it.
        assertThat(ours).startsWith(goCanonical + "e");
        return ours;
    }

    private static Format goFormat(String goName) {
        return switch (goName) {
            case "DecimalSI" -> Format.DECIMAL_SI;
            case "BinarySI" -> Format.BINARY_SI;
            case "DecimalExponent" -> Format.DECIMAL_EXPONENT;
            default -> throw new IllegalArgumentException("unknown Go format " + goName);
        };
    }

    // ---- format(double) ------------------------------------------------------------------------------

    static Stream<Arguments> doubles() {
        return Stream.of(
                argumentSet("1e-10 rounds up to 1n", 0.0000000001, "1n"),
                argumentSet("-1e-10 rounds away from zero to -1n, as Go", -0.0000000001, "-1n"),
                argumentSet("1.5", 1.5, "1500m"),
                argumentSet("1500", 1500.0, "1500"),
                argumentSet("2000", 2000.0, "2k"),
                argumentSet("-3", -3.0, "-3"),
                argumentSet("0", 0.0, "0"),
                argumentSet("-0.0", -0.0, "0"),
                argumentSet("2.5e21 keeps its suffix", 2.5e21, "2500E"),
                argumentSet("1e21 in exponent form", 1e21, "1e21"),
                argumentSet("1e22 in exponent form", 1e22, "10e21"),
                argumentSet("-1e21 in exponent form", -1e21, "-1e21"),
                argumentSet("Double.MAX_VALUE", Double.MAX_VALUE, "179769313486231570e291"),
                argumentSet("-Double.MAX_VALUE", -Double.MAX_VALUE, "-179769313486231570e291"),
                argumentSet("Double.MIN_VALUE rounds up to 1n", Double.MIN_VALUE, "1n"));
    }

    @ParameterizedTest
    @MethodSource("doubles")
    void format_double_printsCanonicalQuantity(double value, String expected) {
        assertThat(Quantity.format(value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void format_nonFinite_throws(double value) {
        assertThatThrownBy(() -> Quantity.format(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a finite number: " + value);
    }

    @Test
    void format_bigDecimal_roundsUpAndPrintsCanonically() {
        assertThat(Quantity.format(new BigDecimal("-0.00"))).isEqualTo("0");
        assertThat(Quantity.format(new BigDecimal("0.1234567891"))).isEqualTo("123456790n");
        assertThat(Quantity.format(new BigDecimal("1e-999999999"))).isEqualTo("1n");
        assertThat(Quantity.format(new BigDecimal("1e999999999"))).isEqualTo("1e999999999");
    }

    @Test
    void format_beyondGoExponentRange_throws() {
        BigDecimal huge = new BigDecimal(BigInteger.ONE, Integer.MIN_VALUE); // 1e2147483648

        assertThatThrownBy(() -> Quantity.format(huge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("too large for a Kubernetes quantity: 1e2147483648");
    }

    // ---- parse: edge cases checked with tools/k8s-quantity ---------------------------------------------

    static Stream<Arguments> goAnswers() {
        return Stream.of(
                // With no digit at all, Go's int64 fast path yields zero, its slow path an error.
                argumentSet("Ti", "Ti", "0"),
                argumentSet("e-9", "e-9", "0"),
                argumentSet("0e-10", "0e-10", "0"),
                argumentSet("1e+3", "1e+3", "1e3"),
                argumentSet("+.5", "+.5", "500m"),
                argumentSet(".000001Ki", ".000001Ki", "1024u"),
                // Go keeps the exponent in an int32 and lets it wrap; so do we.
                argumentSet("1e2147483647", "1e2147483647", "10e2147483646"),
                argumentSet("1.5e-2147483648", "1.5e-2147483648", "150e2147483646"),
                argumentSet("1000e2147483647 (Go wraps while printing)", "1000e2147483647", "1e-2147483646"),
                argumentSet("1e999999999", "1e999999999", "1e999999999"));
    }

    @ParameterizedTest
    @MethodSource("goAnswers")
    void parse_edgeCase_printsWhatGoPrints(String in, String expected) {
        assertThat(Quantity.parse(in).canonical()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Ei", "Pi", "-Ei", "e-10", ".e-10"})
    void parse_noDigitsOnGoSlowPath_throws(String in) {
        assertThatThrownBy(() -> Quantity.parse(in))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid quantity \"" + in + "\": unable to parse numeric part of quantity");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void parse_hugeOrTinyExponent_staysCheap() {
        assertThat(Quantity.parse("1e-999999999").canonical()).isEqualTo("1e-9");
        assertThat(Quantity.parse("-12345678901234567890.5e-999999999").canonical()).isEqualTo("-1e-9");
        assertThat(Quantity.parse("1234567890123456789012e999999999").canonical())
                .isEqualTo("1234567890123456789012e999999999");
        assertThat(Quantity.parse("0." + "0".repeat(Quantity.MAX_LENGTH - 3) + "1").canonical()).isEqualTo("1n");
    }

    @Test
    void parse_tooLong_throwsWithoutEchoingInput() {
        assertThat(Quantity.parse("1".repeat(Quantity.MAX_LENGTH)).canonical()).isEqualTo("1".repeat(1000));

        assertThatThrownBy(() -> Quantity.parse("1".repeat(Quantity.MAX_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid quantity: 1001 characters long, more than the 1000 allowed");
    }

    @Test
    void parse_invalid_explainsLikeGo() {
        assertThatThrownBy(() -> Quantity.parse("1\n"))
                .hasMessage("invalid quantity \"1\\n\": quantities must match the regular expression "
                        + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        assertThatThrownBy(() -> Quantity.parse("1mm"))
                .hasMessage("invalid quantity \"1mm\": unable to parse quantity's suffix");
    }

    // ---- value, format, equality -----------------------------------------------------------------------

    @Test
    void value_parsed_isGoExactValue() {
        assertThat(Quantity.parse("1.5Ki").value()).isEqualByComparingTo("1536");
        assertThat(Quantity.parse("100m").value()).isEqualByComparingTo("0.1");
        assertThat(Quantity.parse("-0.0000000005").value()).isEqualByComparingTo("-0.000000001");
        assertThat(Quantity.parse("9Ei").value()).isEqualByComparingTo(BigDecimal.valueOf(Long.MAX_VALUE));
        assertThat(Quantity.parse("1e4294967296").value()).isEqualByComparingTo("1");
        assertThat(Quantity.parse("1e1000").value()).isEqualByComparingTo("1e1000");
    }

    @Test
    void format_binaryBelowOne_becomesDecimalSi() {
        assertThat(Quantity.parse("0.5Ki").format()).isEqualTo(Format.BINARY_SI);
        assertThat(Quantity.parse(".000001Ki").format()).isEqualTo(Format.DECIMAL_SI);
    }

    @Test
    void equals_sameValueAndFormat_isEqual() {
        assertThat(Quantity.parse("1000")).isEqualTo(Quantity.parse("1k")).hasSameHashCodeAs(Quantity.parse("1k"));
        assertThat(Quantity.parse("1e3")).isNotEqualTo(Quantity.parse("1k"));
        assertThat(Quantity.parse("1.5k")).hasToString("1500");
    }
}
