package io.externalmetrics.adapter.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-scan checks of label keys and values say what the full checks, with their regular expressions, say. */
class LabelRulesTest {

    private static final String ALPHABET = "aZ09-_./ é";

    @Test
    void scans_agreeWithTheFullChecks_onRandomStrings() {
        Random random = new Random(5);
        int valid = 0;
        for (int round = 0; round < 100_000; round++) {
            var s = new StringBuilder();
            int length = random.nextInt(10) == 0 ? 60 + random.nextInt(8) : random.nextInt(6);
            for (int i = 0; i < length; i++) {
                s.append(random.nextInt(4) == 0 ? ALPHABET.charAt(random.nextInt(ALPHABET.length()))
                        : ALPHABET.charAt(random.nextInt(4)));
            }
            String text = s.toString();

            assertThat(LabelRules.isValue(text)).as(text).isEqualTo(LabelRules.valueErrors(text).isEmpty());
            assertThat(LabelRules.isPlainKey(text)).as(text)
                    .isEqualTo(!text.contains("/") && LabelRules.keyErrors(text).isEmpty());
            valid += LabelRules.isValue(text) ? 1 : 0;
        }
        assertThat(valid).as("both outcomes covered").isBetween(10_000, 90_000);
    }
}
