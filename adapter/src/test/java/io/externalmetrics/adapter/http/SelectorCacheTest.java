package io.externalmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.k8s.SelectorParseException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectorCacheTest {

    private final SelectorCache cache = new SelectorCache();

    @Test
    void parse_sameTextAgain_isTakenFromTheCache() {
        LabelSelector first = cache.parse("group=7");

        assertThat(cache.parse("group=7")).isSameAs(first);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void parse_answersAsLabelSelectorParse_firstTimeAndFromTheCache() {
        List<String> texts = List.of("group=7", "app=web,tier in (a,b),!canary", "x>3", "queue===x",
                "tier in (a,b", "!", "a=b,", "Bad Key=1", "k=" + "v".repeat(64));
        for (int round = 0; round < 2; round++) {
            for (String text : texts) {
                SelectorParseException expected = catchThrowableOfType(SelectorParseException.class,
                        () -> LabelSelector.parse(text));
                if (expected == null) {
                    assertThat(cache.parse(text)).as(text).isEqualTo(LabelSelector.parse(text));
                } else {
                    assertThatThrownBy(() -> cache.parse(text)).as(text)
                            .isInstanceOf(SelectorParseException.class)
                            .hasMessage(expected.getMessage());
                }
            }
        }
        assertThat(cache.size()).isEqualTo(texts.size());
    }

    @Test
    void parse_manyDistinctTexts_staysBounded() {
        for (int i = 0; i < 100_000; i++) {
            String text = "shard=" + i;
            assertThat(cache.parse(text).toString()).isEqualTo(text);
            String bad = "bad==" + i + "=";
            assertThatThrownBy(() -> cache.parse(bad)).isInstanceOf(SelectorParseException.class);
        }

        assertThat(cache.size()).isBetween(SelectorCache.SLOTS / 2, SelectorCache.SLOTS);
        assertThat(cache.parse("shard=99999").toString()).isEqualTo("shard=99999");
    }

    @Test
    void parse_textLongerThanTheLimit_isParsedButNotKept() {
        String text = "k in (" + "v,".repeat(SelectorCache.MAX_CACHED_LENGTH) + "w)";

        assertThat(cache.parse(text)).isEqualTo(LabelSelector.parse(text));
        assertThatThrownBy(() -> cache.parse(text + ",=")).isInstanceOf(SelectorParseException.class);
        assertThat(cache.size()).isZero();
    }
}
