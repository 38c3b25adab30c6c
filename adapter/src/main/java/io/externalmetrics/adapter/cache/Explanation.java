package io.externalmetrics.adapter.cache;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a read of a metric would be answered as it would be right now, for {@code /debug/explain}. Made by
 * {@link MetricCache#explain} from one snapshot of the metric's state, with the same lookup and the same
 * answer a read makes, so the explanation cannot drift from what the HPA gets.
 *
 * @param now       the moment the explanation (and its answer) is for
 * @param match     the registration the read found, and how; empty when none
 * @param elsewhere when nothing matched: where a metric of that name (ignoring case) is registered instead
 * @param state     the found metric's state, as the read saw it
 * @param provider  the published state of the found metric's provider, if it has one
 * @param selection which part of the last value a read selects
 * @param series    the series of the last value, selected or not and why: the first
 *                  {@value #MAX_LISTED_SERIES}, so that explaining a metric of a million series stays small
 * @param unlisted  how many series are beyond those listed, and how many of them are selected
 * @param policy    what the on-error policy answered, when the value was not fresh and the policy decided
 * @param result    what the read answered
 */
public record Explanation(Instant now, Optional<Match> match, List<MetricKey> elsewhere, Optional<MetricState> state,
                          Optional<ProviderState> provider, Selection selection, List<SeriesVerdict> series,
                          Unlisted unlisted, Optional<ReadEvents.PolicyAnswer> policy, ReadResult result) {

    /** At most this many series are listed; the rest are counted. */
    public static final int MAX_LISTED_SERIES = 1000;

    public Explanation {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(match, "match");
        elsewhere = List.copyOf(elsewhere);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(selection, "selection");
        series = List.copyOf(series);
        Objects.requireNonNull(unlisted, "unlisted");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(result, "result");
    }

    /** How a read's namespace and name found a registration; tried in this order. */
    public enum How {
        /** Registered in the namespace asked for, by exact name. */
        EXACT("exact"),
        /** Registered in {@code *} (every namespace), by exact name: nothing of that name in the namespace. */
        ALL_NAMESPACES("allNamespaces"),
        /** Registered in the namespace asked for, under a name differing only in case. */
        IGNORING_CASE("caseInsensitive"),
        /** Registered in {@code *}, under a name differing only in case. */
        IGNORING_CASE_ALL_NAMESPACES("caseInsensitiveAllNamespaces");

        private final String label;

        How(String label) {
            this.label = label;
        }

        /** The name written in the explanation. */
        public String label() {
            return label;
        }
    }

    /**
     * A registration a read found.
     *
     * @param key how it is registered
     * @param how how the read's namespace and name led to it
     */
    public record Match(MetricKey key, How how) {
        public Match {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(how, "how");
        }
    }

    /** Which part of a value a read selects. */
    public enum Selection {
        /** No selector, and there is a base value: that alone. */
        BASE,
        /** No selector and no base value: every series. */
        EVERY_SERIES,
        /** A selector: the series it matches (maybe none), never the base value. */
        MATCHING_SERIES,
        /** There is no value to select from. */
        NO_VALUE
    }

    /**
     * One series of the last value.
     *
     * @param labels     its labels
     * @param quantity   its value
     * @param selected   whether a read selects it
     * @param rejectedBy the selector's requirement it fails, when a selector rejects it
     */
    /** The series not listed: how many, and how many of those the read selects. */
    public record Unlisted(long count, long selected) {
        public static final Unlisted NONE = new Unlisted(0, 0);
    }

    public record SeriesVerdict(Map<String, String> labels, String quantity, boolean selected,
                                Optional<String> rejectedBy) {
        public SeriesVerdict {
            labels = Map.copyOf(labels);
            Objects.requireNonNull(quantity, "quantity");
            Objects.requireNonNull(rejectedBy, "rejectedBy");
        }
    }
}
