package io.externalmetrics.adapter.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus text exposition format (version 0.0.4), parsed strictly enough to reject what
 * Prometheus would: every line a comment ({@code # HELP}, {@code # TYPE}) or a sample with a valid
 * name, well-formed quoted labels and a number; every sample after its family's TYPE line. The
 * client library writes this format but has no parser, hence this one.
 */
public final class PromText {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
    private static final Pattern TYPE =
            Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern VALUE = Pattern.compile("[-+]?(\\d+(\\.\\d*)?([eE][-+]?\\d+)?|\\.\\d+|NaN|Inf)");
    private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_total", "_created", "_info");

    private final List<Sample> samples;
    private final Map<String, String> types;

    /** A sample: the series' name and labels, and its value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private PromText(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    /** Parses {@code text}; throws {@link AssertionError} naming the first line that is not valid. */
    public static PromText parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the exposition does not end with a line feed");
        }
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        Set<String> seen = new HashSet<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher type = TYPE.matcher(line);
                if (type.matches()) {
                    if (types.put(type.group(1), type.group(2)) != null) {
                        throw new AssertionError("line " + number + ": a second TYPE for " + type.group(1));
                    }
                } else if (!HELP.matcher(line).matches()) {
                    throw new AssertionError("line " + number + ": neither HELP nor TYPE: " + line);
                }
                continue;
            }
            Sample sample = sample(line, number);
            if (family(sample.name(), types) == null) {
                throw new AssertionError("line " + number + ": sample before its TYPE line: " + line);
            }
            if (!seen.add(sample.name() + new TreeMap<>(sample.labels()))) {
                throw new AssertionError("line " + number + ": a series twice: " + line);
            }
            samples.add(sample);
        }
        return new PromText(List.copyOf(samples), Map.copyOf(types));
    }

    private static String family(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : SUFFIXES) {
            if (name.endsWith(suffix) && types.containsKey(name.substring(0, name.length() - suffix.length()))) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return null;
    }

    private static Sample sample(String line, int number) {
        Matcher name = NAME.matcher(line);
        if (!name.lookingAt()) {
            throw new AssertionError("line " + number + ": no metric name: " + line);
        }
        int i = name.end();
        Map<String, String> labels = new HashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                Matcher label = LABEL_NAME.matcher(line).region(i, line.length());
                if (!label.lookingAt() || line.charAt(label.end()) != '=' || line.charAt(label.end() + 1) != '"') {
                    throw new AssertionError("line " + number + ": bad label at " + i + ": " + line);
                }
                var value = new StringBuilder();
                int j = label.end() + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char escaped = line.charAt(++j);
                        value.append(switch (escaped) {
                            case 'n' -> '\n';
                            case '\\' -> '\\';
                            case '"' -> '"';
                            default -> throw new AssertionError("line " + number + ": bad escape: " + line);
                        });
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label.group(), value.toString()) != null) {
                    throw new AssertionError("line " + number + ": label twice: " + line);
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).split(" ", -1);
        if (rest.length < 2 || rest.length > 3 || !rest[0].isEmpty() || !VALUE.matcher(rest[1]).matches()) {
            throw new AssertionError("line " + number + ": bad value: " + line);
        }
        return new Sample(name.group(), Map.copyOf(labels), Double.parseDouble(
                rest[1].replace("Inf", "Infinity")));
    }

    /** Every sample, in order. */
    public List<Sample> samples() {
        return samples;
    }

    /** The TYPE of a family. */
    public String type(String family) {
        return types.get(family);
    }

    /** The value of the one series named {@code name} whose labels include {@code labels}; empty if none. */
    public OptionalDouble value(String name, Map<String, String> labels) {
        List<Sample> matching = matching(name, labels);
        if (matching.size() > 1) {
            throw new AssertionError(matching.size() + " series of " + name + " match " + labels + ": " + matching);
        }
        return matching.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(matching.get(0).value());
    }

    /** The value of that series, failing when there is none. */
    public double get(String name, Map<String, String> labels) {
        return value(name, labels).orElseThrow(() -> new AssertionError("no series " + name + labels));
    }

    /** The series named {@code name} whose labels include {@code labels}. */
    public List<Sample> matching(String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .toList();
    }
}
