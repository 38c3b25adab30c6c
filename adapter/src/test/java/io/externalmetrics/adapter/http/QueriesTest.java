package io.externalmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueriesTest {

    @Test
    void first_formEncodedSelector_isDecodedAsGoDoes() {
        assertThat(Queries.first("labelSelector=region+in+(eu,us)", "labelSelector"))
                .contains("region in (eu,us)");
        assertThat(Queries.first("labelSelector=queue%3Dorders%2Cregion%21%3Deu", "labelSelector"))
                .contains("queue=orders,region!=eu");
        assertThat(Queries.first("a=1&labelSelector=x&labelSelector=y", "labelSelector")).contains("x");
        assertThat(Queries.first("labelSelector", "labelSelector")).contains("");
        assertThat(Queries.first("other=1", "labelSelector")).isEmpty();
        assertThat(Queries.first(null, "labelSelector")).isEqualTo(Optional.empty());
    }

    @Test
    void first_malformedEscape_isAnError() {
        assertThatThrownBy(() -> Queries.first("labelSelector=a%zz", "labelSelector"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid URL escape");
        assertThatThrownBy(() -> Queries.first("labelSelector=a%", "labelSelector"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Queries.first("a=1;labelSelector=b", "labelSelector"))
                .hasMessageContaining("semicolon");
    }

    @Test
    void decodePathSegment_keepsPlusAndDecodesEscapes() {
        assertThat(Queries.decodePathSegment("a+b")).isEqualTo("a+b");
        assertThat(Queries.decodePathSegment("a%2Bb%20c")).isEqualTo("a+b c");
    }
}
