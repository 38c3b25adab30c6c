package io.externalmetrics.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgsTest {

    private static final Set<String> KNOWN = Set.of("port", "prefix");

    @Test
    void readsBothSpellingsAndFallsBack() {
        Args args = Args.parse(KNOWN, "--port", "8080", "--prefix=big");

        assertThat(args.integer("port", 0, 0)).isEqualTo(8080);
        assertThat(args.string("prefix", "bench")).isEqualTo("big");
        assertThat(Args.parse(KNOWN).integer("port", 7, 0)).isEqualTo(7);
        assertThat(args.has("port")).isTrue();
        assertThat(Args.parse(KNOWN).has("port")).isFalse();
    }

    @Test
    void refusesUnknownValuelessAndBadNumbers() {
        assertThatThrownBy(() -> Args.parse(KNOWN, "--series", "3")).hasMessageContaining("unknown option --series");
        assertThatThrownBy(() -> Args.parse(KNOWN, "--port")).hasMessageContaining("--port needs a value");
        assertThatThrownBy(() -> Args.parse(KNOWN, "port")).hasMessageContaining("unexpected argument port");
        assertThatThrownBy(() -> Args.parse(KNOWN, "--port=x").integer("port", 0, 0))
                .hasMessageContaining("must be an integer");
        assertThatThrownBy(() -> Args.parse(KNOWN, "--port=-1").integer("port", 0, 0))
                .hasMessageContaining("at least 0");
    }
}
