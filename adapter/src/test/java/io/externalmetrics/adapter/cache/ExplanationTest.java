package io.externalmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link MetricCache#explain}: the registration, series verdicts, freshness and policy decision of a read,
 * and an answer byte for byte the one {@link MetricCache#read} gives at the same moment.
 */
class ExplanationTest {

    private static final Instant T0 = Instant.parse("2026-11-24T22:09:18.750Z");

    private final TestClock clock = new TestClock(T0);
    private final List<ReadEvents.PolicyAnswer> heard = new ArrayList<>();
    private final MetricCache cache = new MetricCache(clock, (metric, answer) -> heard.add(answer));

    private static MetricInfo info(String namespace, String name, OnErrorPolicy onError) {
        return new MetricInfo(new MetricKey(namespace, name), "p", new TriggerSpec.Interval(Duration.ofSeconds(1)),
                Duration.ofSeconds(3), onError);
    }

    private static Sample sample(String name, Instant observedAt, boolean byProvider) {
        return Sample.of(name, OptionalDouble.of(7), List.of(
                        new Sample.SeriesValue(Map.of("some-key", "A"), 1),
                        new Sample.SeriesValue(Map.of("some-key", "B", "zone", "z1"), 2),
                        new Sample.SeriesValue(Map.of("other", "x"), 3)),
                observedAt, byProvider, Optional.empty());
    }

    private Explanation explain(String namespace, String name, String selector) {
        Optional<LabelSelector> parsed =
                selector.isEmpty() ? Optional.empty() : Optional.of(LabelSelector.parse(selector));
        Explanation explanation = cache.explain(namespace, name, parsed);
        assertThat(bytes(explanation.result())).as("the answer a read gives")
                .isEqualTo(bytes(cache.read(namespace, name, parsed)));
        return explanation;
    }

    /** A result as comparable text: its kind and body or message. */
    private static String bytes(ReadResult result) {
        return switch (result) {
            case ReadResult.Found found -> "found " + new String(found.body());
            case ReadResult.NotFound notFound -> "not found " + notFound.why();
            case ReadResult.Unavailable unavailable -> "unavailable " + unavailable.why();
            case ReadResult.Refused refused -> "refused " + refused.why();
        };
    }

    @Test
    void explain_saysHowTheRegistrationWasFound() {
        cache.registerProvider("p", List.of(info("team", "exact", OnErrorPolicy.error()),
                info("*", "everywhere", OnErrorPolicy.error()), info("team", "MixedCase", OnErrorPolicy.error()),
                info("*", "AllCase", OnErrorPolicy.error())));

        assertThat(explain("team", "exact", "").match()).contains(
                new Explanation.Match(new MetricKey("team", "exact"), Explanation.How.EXACT));
        assertThat(explain("team", "everywhere", "").match()).contains(
                new Explanation.Match(new MetricKey("*", "everywhere"), Explanation.How.ALL_NAMESPACES));
        assertThat(explain("team", "mixedcase", "").match()).contains(
                new Explanation.Match(new MetricKey("team", "MixedCase"), Explanation.How.IGNORING_CASE));
        assertThat(explain("team", "allcase", "").match()).contains(new Explanation.Match(
                new MetricKey("*", "AllCase"), Explanation.How.IGNORING_CASE_ALL_NAMESPACES));
    }

    @Test
    void explain_noRegistration_namesWhereTheNameIsServedInstead() {
        cache.registerProvider("p", List.of(info("team-a", "depth", OnErrorPolicy.error()),
                info("team-b", "Depth", OnErrorPolicy.error())));

        Explanation elsewhere = explain("default", "depth", "");
        Explanation nowhere = explain("default", "nothing", "");

        assertThat(elsewhere.match()).isEmpty();
        assertThat(elsewhere.result()).isInstanceOf(ReadResult.NotFound.class);
        assertThat(elsewhere.elsewhere()).containsExactly(new MetricKey("team-a", "depth"),
                new MetricKey("team-b", "Depth"));
        assertThat(nowhere.elsewhere()).isEmpty();
        assertThat(nowhere.state()).isEmpty();
    }

    @Test
    void explain_eachSeries_selectedOrRejectedByTheRequirementItFails() {
        cache.registerProvider("p", List.of(info("*", "m", OnErrorPolicy.error())));
        cache.recordSuccess(new MetricKey("*", "m"), sample("m", T0, false));

        Explanation explanation = explain("default", "m", "some-key,zone=z1");
        Explanation unselected = explain("default", "m", "");

        assertThat(explanation.selection()).isEqualTo(Explanation.Selection.MATCHING_SERIES);
        assertThat(explanation.series()).extracting(Explanation.SeriesVerdict::quantity,
                Explanation.SeriesVerdict::selected, Explanation.SeriesVerdict::rejectedBy).containsExactly(
                tuple("1", false, Optional.of("zone=z1")),
                tuple("2", true, Optional.empty()),
                tuple("3", false, Optional.of("some-key")));
        assertThat(unselected.selection()).isEqualTo(Explanation.Selection.BASE);
        assertThat(unselected.series()).noneMatch(Explanation.SeriesVerdict::selected);
    }

    @Test
    void explain_staleByFetch_orByObservation() {
        cache.registerProvider("p", List.of(info("*", "fetched", OnErrorPolicy.error()),
                info("*", "observed", OnErrorPolicy.error())));
        cache.recordSuccess(new MetricKey("*", "fetched"), sample("fetched", T0, false));
        cache.recordSuccess(new MetricKey("*", "observed"), sample("observed", T0.minusSeconds(60), true));
        clock.advance(Duration.ofSeconds(4));

        MetricState byFetch = explain("default", "fetched", "").state().orElseThrow();
        Explanation byObservation = explain("default", "observed", "");

        assertThat(byFetch.agedByObservation()).isFalse();
        assertThat(byFetch.age(clock.instant())).contains(Duration.ofSeconds(4));
        assertThat(byObservation.state().orElseThrow().agedByObservation()).isTrue();
        assertThat(byObservation.state().orElseThrow().age(clock.instant())).contains(Duration.ofSeconds(64));
        assertThat(((ReadResult.Unavailable) byObservation.result()).why())
                .endsWith("last value observed 1m4s ago (max age 3s)");
    }

    @Test
    void explain_policy_saysWhatDecided_andIsNotCountedAsARead() {
        cache.registerProvider("p", List.of(info("*", "fresh", OnErrorPolicy.error()),
                info("*", "error", OnErrorPolicy.error()),
                info("*", "lkg", new OnErrorPolicy.LastKnownGood(Duration.ofSeconds(10))),
                info("*", "lkg-too-old", new OnErrorPolicy.LastKnownGood(Duration.ofSeconds(4))),
                info("*", "static", new OnErrorPolicy.Static("5"))));
        for (String name : List.of("error", "lkg", "lkg-too-old", "static")) {
            cache.recordSuccess(new MetricKey("*", name), sample(name, T0, false));
            cache.recordFailure(new MetricKey("*", name), "UNAVAILABLE: connection refused");
        }
        clock.advance(Duration.ofSeconds(5));
        cache.recordSuccess(new MetricKey("*", "fresh"), sample("fresh", clock.instant(), false));

        assertThat(cache.explain("default", "fresh", Optional.empty()).policy()).isEmpty();
        assertThat(cache.explain("default", "error", Optional.empty()).policy())
                .contains(ReadEvents.PolicyAnswer.ERROR);
        assertThat(cache.explain("default", "lkg", Optional.empty()).policy())
                .contains(ReadEvents.PolicyAnswer.LAST_KNOWN_GOOD);
        assertThat(cache.explain("default", "lkg-too-old", Optional.empty()).policy())
                .contains(ReadEvents.PolicyAnswer.ERROR);
        assertThat(cache.explain("default", "static", Optional.empty()).policy())
                .contains(ReadEvents.PolicyAnswer.STATIC);
        assertThat(heard).as("explanations are not HPA reads").isEmpty();
        for (String name : List.of("fresh", "error", "lkg", "lkg-too-old", "static")) {
            explain("default", name, "some-key=A");
        }
    }

    @Test
    void recent_keepsTheLastSixtySummaries_baseElseSumOfSeries() {
        cache.registerProvider("p", List.of(info("*", "m", OnErrorPolicy.error()),
                info("*", "series", OnErrorPolicy.error())));
        IntStream.rangeClosed(1, 100).forEach(i -> cache.recordSuccess(new MetricKey("*", "m"),
                Sample.of("m", OptionalDouble.of(i), List.of(), T0, false, Optional.empty())));
        cache.recordSuccess(new MetricKey("*", "series"), sample("series", T0, false));
        cache.recordSuccess(new MetricKey("*", "series"), Sample.of("series", OptionalDouble.empty(), List.of(
                new Sample.SeriesValue(Map.of("a", "1"), 2), new Sample.SeriesValue(Map.of("a", "2"), 3)),
                T0, false, Optional.empty()));
        cache.recordFailure(new MetricKey("*", "series"), "failed");

        double[] recent = cache.state(new MetricKey("*", "m")).orElseThrow().recent().values();
        assertThat(recent).hasSize(Recent.CAPACITY);
        assertThat(recent[0]).isEqualTo(41);
        assertThat(recent[Recent.CAPACITY - 1]).isEqualTo(100);
        assertThat(cache.state(new MetricKey("*", "series")).orElseThrow().recent().values()).containsExactly(7, 5);
    }

    @Test
    void explain_ofAMetricOfManySeries_listsTheFirstThousand_andCountsTheRest() {
        cache.registerProvider("p", List.of(info("*", "big", OnErrorPolicy.error())));
        int total = Explanation.MAX_LISTED_SERIES + 500;
        cache.recordSuccess(new MetricKey("*", "big"), Sample.of("big", OptionalDouble.empty(),
                IntStream.range(0, total).mapToObj(i -> new Sample.SeriesValue(
                        Map.of("shard", Integer.toString(i), "even", Boolean.toString(i % 2 == 0)), i)).toList(),
                T0, false, Optional.empty()));

        Explanation explanation = explain("team", "big", "even=true");

        assertThat(explanation.series()).hasSize(Explanation.MAX_LISTED_SERIES);
        assertThat(explanation.series()).filteredOn(Explanation.SeriesVerdict::selected)
                .hasSize(Explanation.MAX_LISTED_SERIES / 2);
        assertThat(explanation.unlisted()).as("the other 500, of which 250 are even")
                .isEqualTo(new Explanation.Unlisted(500, 250));
    }
}
