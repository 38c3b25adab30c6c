package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.WireFormat;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.k8s.LabelRules;
import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.Series;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FetchReplyReaderTest {

    private static final Instant RECEIVED = Instant.parse("2026-11-30T10:00:00Z");
    private static final ReplyLimits LIMITS = new ReplyLimits(10_000, 64);

    @Test
    void read_givesWhatProtobufsOwnParseGives_forVariedReplies() {
        List<byte[]> replies = List.of(
                new byte[0],
                FetchResponse.newBuilder().setValue(2.5).build().toByteArray(),
                FetchResponse.newBuilder().setValue(0).build().toByteArray(), // present, though 0
                FetchResponse.newBuilder().addSeries(Series.newBuilder().setValue(3)).build().toByteArray(),
                FetchResponse.newBuilder()
                        .setObservedAt(Timestamp.newBuilder().setSeconds(RECEIVED.getEpochSecond() - 5).setNanos(7))
                        .setWindow(com.google.protobuf.Duration.newBuilder().setSeconds(90))
                        .addSeries(Series.newBuilder().putLabels("zone", "a").putLabels("app", "x").setValue(-1.25))
                        .addSeries(Series.newBuilder().putLabels("zone", "b").setValue(1e21))
                        .addSeries(Series.newBuilder().putLabels("example.com/tier", "").setValue(0.001))
                        .build().toByteArray(),
                message(out -> {
                    // unknown fields of every wire type, around and inside the series and their map entries
                    unknown(out, 15);
                    series(out, s -> {
                        unknown(s, 9);
                        entry(s, e -> {
                            unknown(e, 3);
                            string(e, 1, "queue");
                            unknown(e, 7);
                            string(e, 2, "orders");
                        });
                        s.writeDouble(2, 12);
                        unknown(s, 4);
                    });
                    out.writeDouble(1, 4);
                    unknown(out, 99);
                }),
                message(out -> {
                    // an entry without value; a key repeated (first place, last value); the series' value
                    // twice (the last counts), the reply's value twice, fields out of order
                    out.writeMessage(4, com.google.protobuf.Duration.newBuilder().setSeconds(30).build());
                    series(out, s -> {
                        entry(s, e -> string(e, 1, "no-value"));
                        s.writeDouble(2, 1);
                        entry(s, e -> {
                            string(e, 1, "b");
                            string(e, 2, "1");
                        });
                        entry(s, e -> {
                            string(e, 1, "b");
                            string(e, 2, "2");
                        });
                        s.writeDouble(2, 7);
                    });
                    out.writeDouble(1, 1);
                    out.writeDouble(1, 3);
                    series(out, s -> {
                    });
                }),
                // an entry without key, and an empty one: the key "", as protobuf reads it (then refused)
                message(out -> series(out, s -> entry(s, e -> string(e, 2, "no-key")))),
                message(out -> series(out, s -> entry(s, e -> {
                }))),
                message(out -> {
                    // observed_at twice: merged, as protobuf merges a message field given twice
                    out.writeMessage(3, Timestamp.newBuilder().setSeconds(RECEIVED.getEpochSecond() - 60).build());
                    out.writeMessage(3, Timestamp.newBuilder().setNanos(5).build());
                    // the series field with another wire type than a message's: an unknown field
                    out.writeFixed64(2, 77);
                    series(out, s -> entry(s, e -> {
                        string(e, 1, "k");
                        string(e, 2, "v");
                    }));
                }));
        for (byte[] bytes : replies) {
            FetchResponse parsed = parse(bytes);
            FetchReply read = read(bytes, LIMITS);

            assertThat(read.value()).isEqualTo(parsed.hasValue() ? OptionalDouble.of(parsed.getValue())
                    : OptionalDouble.empty());
            assertThat(read.seriesCount()).isEqualTo(parsed.getSeriesCount());
            assertThat(read.seriesProblem()).isEqualTo(referenceProblem(parsed, LIMITS));
            assertThat(read.observedAt()).isEqualTo(parsed.hasObservedAt() ? Optional.of(parsed.getObservedAt())
                    : Optional.empty());
            assertThat(read.window()).isEqualTo(parsed.hasWindow() ? Optional.of(parsed.getWindow())
                    : Optional.empty());
            if (read.seriesProblem() == null) {
                assertThat(items(Sample.of("m", OptionalDouble.empty(), read.series(), RECEIVED, false,
                        Optional.of(Duration.ofSeconds(60)))))
                        .isEqualTo(items(protobufSample(parsed, Optional.of(Duration.ofSeconds(60)))));
            }
        }
    }

    @Test
    void read_repeatedKeyInOneSeries_keepsTheLastValue() {
        byte[] bytes = message(out -> series(out, s -> {
            entry(s, e -> {
                string(e, 1, "b");
                string(e, 2, "1");
            });
            entry(s, e -> {
                string(e, 1, "b");
                string(e, 2, "2");
            });
        }));

        Sample sample = FetchResponses.toSample("m", read(bytes, LIMITS), RECEIVED, rules(LIMITS));

        assertThat(sample.series()).singleElement().satisfies(p -> assertThat(p.labels()).isEqualTo(Map.of("b", "2")));
    }

    @Test
    void toSample_sameOutcomeAndWordsAsTheCheckOfTheParsedMessage_forRandomReplies() {
        Random random = new Random(11);
        int invalid = 0;
        for (int round = 0; round < 3000; round++) {
            ReplyLimits limits = new ReplyLimits(1 + random.nextInt(6), 1 + random.nextInt(4));
            byte[] bytes = randomReply(random);
            FetchResponse parsed = parse(bytes);
            String expected = referenceProblem(parsed, limits);

            String actual;
            Sample sample = null;
            try {
                sample = FetchResponses.toSample("m", read(bytes, limits), RECEIVED, rules(limits));
                actual = null;
            } catch (InvalidReplyException e) {
                actual = e.getMessage();
            }

            assertThat(actual).as("round %d", round).isEqualTo(expected);
            if (expected == null) {
                assertThat(items(sample)).isEqualTo(items(protobufSample(parsed, Optional.empty())));
            } else {
                invalid++;
            }
        }
        assertThat(invalid).as("both outcomes covered").isBetween(500, 2500);
    }

    @Test
    void read_moreSeriesThanTheLimit_countsThemWithoutReadingThem() {
        FetchResponse.Builder reply = FetchResponse.newBuilder();
        for (int i = 0; i < 11; i++) {
            reply.addSeries(Series.newBuilder().putLabels("shard", "s" + i));
        }
        ReplyLimits limits = new ReplyLimits(10, 64);

        FetchReply read = read(reply.build().toByteArray(), limits);

        assertThat(read.seriesCount()).isEqualTo(11);
        assertThat(read.series()).isNull();
        assertThatThrownBy(() -> FetchResponses.toSample("m", read, RECEIVED, rules(limits)))
                .isInstanceOf(InvalidReplyException.class).hasMessage("11 series, more than the limit of 10");
    }

    @Test
    void read_moreLabelsThanTheLimit_isTheSeriesProblem_countingARepeatedKeyOnce() {
        ReplyLimits limits = new ReplyLimits(10, 2);
        byte[] repeated = message(out -> series(out, s -> {
            for (String key : List.of("a", "b", "a")) {
                entry(s, e -> {
                    string(e, 1, key);
                    string(e, 2, "v");
                });
            }
        }));
        byte[] three = FetchResponse.newBuilder()
                .addSeries(Series.newBuilder().putLabels("a", "1"))
                .addSeries(Series.newBuilder().putLabels("a", "1").putLabels("b", "2").putLabels("c", "3"))
                .build().toByteArray();

        assertThat(read(repeated, limits).seriesProblem()).isNull();
        assertThat(read(three, limits).seriesProblem()).isEqualTo("series 1 has 3 labels, more than the limit of 2");
        assertThat(read(three, limits).series()).isNull();
    }

    @Test
    void read_bytesThatAreNoMessage_failAsProtobufsParseDoes() {
        byte[] whole = FetchResponse.newBuilder()
                .addSeries(Series.newBuilder().putLabels("queue", "orders").setValue(1)).build().toByteArray();
        byte[] truncated = Arrays.copyOf(whole, whole.length - 3);
        byte[] notUtf8 = message(out -> series(out, s -> entry(s, e -> {
            e.writeByteArray(1, new byte[] {'k', (byte) 0xC3});
            string(e, 2, "v");
        })));
        byte[] strayEndGroup = message(out -> out.writeTag(5, WireFormat.WIRETYPE_END_GROUP));

        for (byte[] bytes : List.of(truncated, notUtf8, strayEndGroup)) {
            assertThatThrownBy(() -> FetchResponse.parseFrom(bytes)).isInstanceOf(InvalidProtocolBufferException.class);
            assertThatThrownBy(() -> FetchReplyReader.read(bytes, LIMITS))
                    .isInstanceOf(InvalidProtocolBufferException.class);
        }
    }

    /** A reply of random series, often invalid: bad keys and values, too many labels, repeats, NaN. */
    private static byte[] randomReply(Random random) {
        List<String> keys = List.of("a", "b", "example.com/c", "-bad", "a/b/c", "", "k".repeat(70), "b");
        List<String> values = List.of("", "1", "v", "bad value", "x".repeat(64), "v");
        double[] numbers = {0, 1.5, -2, 1e-10, Double.NaN, Double.POSITIVE_INFINITY};
        List<List<String[]>> written = new ArrayList<>();
        return message(out -> {
            if (random.nextInt(4) == 0) {
                out.writeDouble(1, random.nextInt(10) == 0 ? Double.NaN : random.nextInt(100));
            }
            int series = random.nextInt(8);
            for (int i = 0; i < series; i++) {
                List<String[]> labels;
                if (!written.isEmpty() && random.nextInt(6) == 0) {
                    labels = written.get(random.nextInt(written.size())); // a repeat, maybe
                } else {
                    labels = new ArrayList<>();
                    int entries = random.nextInt(5);
                    for (int e = 0; e < entries; e++) {
                        boolean valid = random.nextInt(8) != 0;
                        String key = keys.get(random.nextInt(valid ? 3 : keys.size()));
                        String value = values.get(random.nextInt(valid ? 3 : values.size()));
                        labels.add(new String[] {key, value});
                    }
                    written.add(labels);
                }
                double number = random.nextInt(12) == 0 ? numbers[random.nextInt(numbers.length)]
                        : random.nextInt(1000) / 8.0;
                List<String[]> entries = labels;
                series(out, s -> {
                    for (String[] label : entries) {
                        entry(s, e -> {
                            string(e, 1, label[0]);
                            string(e, 2, label[1]);
                        });
                    }
                    s.writeDouble(2, number);
                });
            }
        });
    }

    /** The checks of a parsed message as the adapter made them before it read replies itself. */
    private static String referenceProblem(FetchResponse reply, ReplyLimits limits) {
        if (reply.hasValue() && !Double.isFinite(reply.getValue())) {
            return "value is " + reply.getValue() + "; only finite numbers can be served";
        }
        if (reply.getSeriesCount() > limits.maxSeries()) {
            return reply.getSeriesCount() + " series, more than the limit of " + limits.maxSeries();
        }
        var seen = new HashSet<Map<String, String>>();
        for (int i = 0; i < reply.getSeriesCount(); i++) {
            Series s = reply.getSeries(i);
            Map<String, String> labels = s.getLabelsMap();
            if (labels.size() > limits.maxLabelsPerSeries()) {
                return "series " + i + " has " + labels.size() + " labels, more than the limit of "
                        + limits.maxLabelsPerSeries();
            }
            for (Map.Entry<String, String> label : labels.entrySet()) {
                List<String> keyErrors = LabelRules.keyErrors(label.getKey());
                if (!keyErrors.isEmpty()) {
                    return "series " + i + ": label key \"" + StatusJson.abbreviate(label.getKey()) + "\": "
                            + String.join("; ", keyErrors);
                }
                List<String> valueErrors = LabelRules.valueErrors(label.getValue());
                if (!valueErrors.isEmpty()) {
                    return "series " + i + ": label \"" + label.getKey() + "\" value \""
                            + StatusJson.abbreviate(label.getValue()) + "\": " + String.join("; ", valueErrors);
                }
            }
            if (!seen.add(labels)) {
                return "series " + i + " repeats the labels " + labels;
            }
            if (!Double.isFinite(s.getValue())) {
                return "series " + i + " " + labels + " is " + s.getValue()
                        + "; only finite numbers can be served";
            }
        }
        return null;
    }

    /** The sample the adapter made of a parsed message before: its series through their maps. */
    private static Sample protobufSample(FetchResponse reply, Optional<Duration> window) {
        List<Sample.SeriesValue> series = reply.getSeriesList().stream()
                .map(s -> new Sample.SeriesValue(s.getLabelsMap(), s.getValue())).toList();
        return Sample.of("m", OptionalDouble.empty(), series, RECEIVED, false, window);
    }

    private static List<String> items(Sample sample) {
        return sample.series().stream()
                .map(p -> new TreeMap<>(p.labels()) + " " + p.quantity() + " " + new String(p.item())).toList();
    }

    private static ReplyRules rules(ReplyLimits limits) {
        return new ReplyRules("p", limits, Duration.ofSeconds(30));
    }

    private static FetchReply read(byte[] bytes, ReplyLimits limits) {
        try {
            return FetchReplyReader.read(bytes, limits);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static FetchResponse parse(byte[] bytes) {
        try {
            return FetchResponse.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Writer writer) {
        var bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            writer.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void series(CodedOutputStream out, Writer series) throws IOException {
        out.writeByteArray(2, message(series));
    }

    private static void entry(CodedOutputStream series, Writer entry) throws IOException {
        series.writeByteArray(1, message(entry));
    }

    private static void string(CodedOutputStream out, int field, String value) throws IOException {
        out.writeString(field, value);
    }

    /** One unknown field of each wire type, numbered from {@code from}. */
    private static void unknown(CodedOutputStream out, int from) throws IOException {
        out.writeUInt64(from, 300);
        out.writeFixed32(from + 1, 7);
        out.writeFixed64(from + 2, 8);
        out.writeString(from + 3, "unknown");
        out.writeTag(from + 4, WireFormat.WIRETYPE_START_GROUP);
        out.writeUInt32(1, 5);
        out.writeTag(from + 4, WireFormat.WIRETYPE_END_GROUP);
    }
}
