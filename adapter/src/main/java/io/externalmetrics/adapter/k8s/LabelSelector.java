package io.externalmetrics.adapter.k8s;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Kubernetes label selector ({@code app=web,tier in (a,b),!canary}), parsed, printed and matched as
 * Go's {@code k8s.io/apimachinery/pkg/labels} does: {@code Parse}, {@code Selector.String()} and
 * {@code Matches}. Comma means AND; the empty selector matches everything. Immutable.
 */
public final class LabelSelector {

    /** Longer selectors are rejected; real ones are far shorter, and the work stays bounded. */
    static final int MAX_LENGTH = 10_000;

    private final List<Requirement> requirements;
    private final String string;
    private final List<RequiredLabel> requiredLabels;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
        this.string = String.join(",", requirements.stream().map(Requirement::toString).toList());
        this.requiredLabels = requirements.stream()
                .flatMap(r -> switch (r.operator()) {
                    case EQUALS, DOUBLE_EQUALS, IN -> Stream.of(new RequiredLabel(r.key(), r.values()));
                    // a label that is missing is not greater or less than anything either
                    case EXISTS, GREATER_THAN, LESS_THAN -> Stream.of(new RequiredLabel(r.key(), List.of()));
                    default -> Stream.<RequiredLabel>empty();
                })
                .toList();
    }

    /**
     * Parses {@code selector} with the full grammar: {@code k=v}, {@code k==v}, {@code k!=v},
     * {@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}, {@code k>1}, {@code k<1},
     * separated by commas, with Kubernetes' validation of keys and values.
     *
     * @throws SelectorParseException when Kubernetes would reject the selector, or it is over 10,000 characters
     */
    public static LabelSelector parse(String selector) {
        Objects.requireNonNull(selector, "selector");
        if (selector.length() > MAX_LENGTH) {
            throw new SelectorParseException("label selector is " + selector.length()
                    + " characters long, more than the " + MAX_LENGTH + " allowed");
        }
        List<Requirement> requirements = new ArrayList<>(SelectorParser.parse(selector));
        // Go sorts by key for a deterministic String(); its sort keeps equal keys in input order for the
        // small selectors seen in practice, and List.sort always does.
        requirements.sort(Comparator.comparing(Requirement::key));
        return new LabelSelector(requirements);
    }

    /**
     * Whether {@code labels} satisfy every requirement; a missing key satisfies only {@code !=},
     * {@code notin} and {@code !k}.
     */
    public boolean matches(Map<String, String> labels) {
        Objects.requireNonNull(labels, "labels");
        for (Requirement requirement : requirements) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first requirement, in {@link #toString} order, that {@code labels} do not satisfy, as Go prints
     * it (e.g. {@code some-key=B}); empty when the selector {@linkplain #matches matches} them. For
     * explaining why a series was not selected.
     */
    public Optional<String> rejectedBy(Map<String, String> labels) {
        Objects.requireNonNull(labels, "labels");
        for (Requirement requirement : requirements) {
            if (!requirement.matches(labels)) {
                return Optional.of(requirement.toString());
            }
        }
        return Optional.empty();
    }

    /**
     * The labels a label set must have to {@linkplain #matches match}, from the requirements {@code k=v},
     * {@code k==v}, {@code k in (a,b)} (with those values) and {@code k}, {@code k>n}, {@code k<n} (with any
     * value), in {@link #toString} order; the others, which a missing label satisfies, are not listed. For an
     * index over many label sets, which narrows its candidates to those holding every required label and
     * then checks each candidate with {@link #matches}. Empty when no requirement needs a label (e.g.
     * {@code k!=v}): then only checking every label set answers.
     */
    public List<RequiredLabel> requiredLabels() {
        return requiredLabels;
    }

    /** Whether this selector has no requirements, so matches everything. */
    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    /** Go's {@code Selector.String()}: requirements sorted by key, set values sorted, e.g. {@code a=x,b in (c,d)}. */
    @Override
    public String toString() {
        return string;
    }

    /** Selectors are equal when they print the same, so {@code x=a,y=b} equals {@code y=b, x=a}. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSelector other && other.string.equals(string);
    }

    @Override
    public int hashCode() {
        return string.hashCode();
    }

    /**
     * A label a matching label set must have.
     *
     * @param key    the label's key
     * @param values the values it may have, one of which it must; empty when any value will do ({@code k}):
     *               {@code k in ()} parses as {@code k in ("")}, so it is never empty otherwise
     */
    public record RequiredLabel(String key, List<String> values) {
        public RequiredLabel {
            Objects.requireNonNull(key, "key");
            values = List.copyOf(values);
        }
    }
}
