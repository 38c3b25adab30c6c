package io.externalmetrics.adapter.provider;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Duration;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.WireFormat;
import io.externalmetrics.adapter.cache.SeriesTable;
import io.externalmetrics.adapter.k8s.LabelRules;
import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.Series;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Reads a provider's Fetch reply from its protobuf bytes straight into a {@link FetchReply}, without the
 * {@link FetchResponse} message: protobuf would make a {@code Series} message, a map and two strings per label
 * of every series, all alive until the sample is built from them, which is what a metric of a million
 * series could not fit in a 1 GiB heap. Here each distinct label key and value is kept once (in the
 * sample's dictionary), each series as a few ids and a double.
 *
 * <p>Reads as protobuf does: fields in any order, unknown fields skipped, the last of a repeated singular
 * field kept (a message field merged), a map entry without key or value meaning "", a key repeated in one
 * series' map keeping its first place and its last value, strings checked to be UTF-8. Two passes over the
 * bytes: the first counts the series and their labels (and reads the few other fields), so the second
 * fills arrays of exactly the size needed, and a reply of more than maxSeries series is refused without
 * its series being decoded. The second checks each series as it is read, each distinct key and value once:
 * from the first invalid series on, the series are walked over, not decoded.
 */
final class FetchReplyReader {

    private static final int REPLY_VALUE = tag(FetchResponse.VALUE_FIELD_NUMBER,
            WireFormat.WIRETYPE_FIXED64);
    private static final int REPLY_SERIES = tag(FetchResponse.SERIES_FIELD_NUMBER,
            WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int REPLY_OBSERVED_AT = tag(FetchResponse.OBSERVED_AT_FIELD_NUMBER,
            WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int REPLY_WINDOW = tag(FetchResponse.WINDOW_FIELD_NUMBER,
            WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int SERIES_LABEL = tag(Series.LABELS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int SERIES_VALUE = tag(Series.VALUE_FIELD_NUMBER, WireFormat.WIRETYPE_FIXED64);
    private static final int ENTRY_KEY = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int ENTRY_VALUE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);

    private FetchReplyReader() {
    }

    /** A field's tag: its number and wire type, as protobuf writes it before the field. */
    private static int tag(int fieldNumber, int wireType) {
        return fieldNumber << 3 | wireType;
    }

    /**
     * The Fetch method with its reply as its bytes, to be read by {@link #readReply}: the generated method's
     * name and request, a reply marshaller of its own (the server side is not affected: only bytes cross the
     * channel). gRPC hands the reply to the marshaller on the thread the call's callbacks run on, which for
     * the adapter's fetches is gRPC's own: copying the bytes is all that happens there, so a reply of
     * millions of series is read where the caller decides, not on the thread that serves the channel.
     */
    static MethodDescriptor<FetchRequest, byte[]> fetchMethod() {
        MethodDescriptor<FetchRequest, FetchResponse> generated = MetricProviderGrpc.getFetchMethod();
        return generated.toBuilder(generated.getRequestMarshaller(), new BytesMarshaller()).build();
    }

    /**
     * Reads a reply that came as {@link #fetchMethod}'s bytes.
     *
     * @throws InvalidReplyException when the bytes are no FetchResponse message
     */
    static FetchReply readReply(byte[] bytes, ReplyLimits limits) {
        try {
            return read(bytes, limits);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidReplyException("the reply is no FetchResponse message: " + e.getMessage());
        }
    }

    /**
     * Reads a reply.
     *
     * @throws InvalidProtocolBufferException when the bytes are no protobuf message
     */
    static FetchReply read(byte[] bytes, ReplyLimits limits) throws InvalidProtocolBufferException {
        try {
            return new Reading(bytes, limits).read();
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array is read without I/O
        }
    }

    /** The reply's side of the Fetch method: the bytes the provider sent; the adapter never sends one. */
    private record BytesMarshaller() implements MethodDescriptor.Marshaller<byte[]> {

        @Override
        public InputStream stream(byte[] value) {
            throw new UnsupportedOperationException("the adapter only receives Fetch replies");
        }

        /** The message's bytes, in an array of its size when gRPC knows it (it does: it framed them). */
        @Override
        public byte[] parse(InputStream stream) {
            try {
                if (stream instanceof KnownLength) {
                    byte[] bytes = new byte[stream.available()];
                    int read = stream.readNBytes(bytes, 0, bytes.length);
                    if (read == bytes.length && stream.read() == -1) {
                        return bytes;
                    }
                    throw new IOException("the reply's stream did not hold the " + bytes.length
                            + " bytes it announced");
                }
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One reply being read. */
    private static final class Reading {
        private final byte[] bytes;
        private final ReplyLimits limits;
        private final SeriesLabelsRead labels = new SeriesLabelsRead();
        private int[] keyIds = new int[8];
        private int[] valueIds = new int[8];

        Reading(byte[] bytes, ReplyLimits limits) {
            this.bytes = bytes;
            this.limits = limits;
        }

        FetchReply read() throws IOException {
            OptionalDouble value = OptionalDouble.empty();
            int seriesCount = 0;
            long labelCount = 0;
            Timestamp.Builder observedAt = null;
            Duration.Builder window = null;
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == REPLY_VALUE) {
                    value = OptionalDouble.of(in.readDouble());
                } else if (tag == REPLY_SERIES) {
                    seriesCount++;
                    labelCount += Math.min(countLabels(in), limits.maxLabelsPerSeries());
                } else if (tag == REPLY_OBSERVED_AT) {
                    observedAt = observedAt == null ? Timestamp.newBuilder() : observedAt;
                    in.readMessage(observedAt, ExtensionRegistryLite.getEmptyRegistry());
                } else if (tag == REPLY_WINDOW) {
                    window = window == null ? Duration.newBuilder() : window;
                    in.readMessage(window, ExtensionRegistryLite.getEmptyRegistry());
                } else {
                    skip(in, tag);
                }
            }
            SeriesTable series = null;
            String problem = null;
            if (seriesCount <= limits.maxSeries()) {
                SeriesTable.Builder table = SeriesTable.builder(seriesCount, (int) labelCount);
                in = CodedInputStream.newInstance(bytes);
                int index = 0;
                for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                    if (tag == REPLY_SERIES && problem == null) {
                        problem = readSeries(in, index++, table);
                    } else {
                        in.skipField(tag); // read whole by the first pass
                    }
                }
                series = problem == null ? table.build() : null;
            }
            return new FetchReply(value, seriesCount, series, problem,
                    Optional.ofNullable(observedAt).map(Timestamp.Builder::build),
                    Optional.ofNullable(window).map(Duration.Builder::build));
        }

        /** Walks over one series (a length-delimited message), counting its label map's entries. */
        private static int countLabels(CodedInputStream in) throws IOException {
            int outer = in.pushLimit(in.readRawVarint32());
            int entries = 0;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == SERIES_LABEL) {
                    entries++;
                }
                skip(in, tag);
            }
            in.popLimit(outer);
            return entries;
        }

        /** Reads and checks series {@code index}, adding it to {@code table}; returns why it is invalid, or null. */
        private String readSeries(CodedInputStream in, int index, SeriesTable.Builder table) throws IOException {
            labels.clear();
            double value = 0;
            int outer = in.pushLimit(in.readRawVarint32());
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == SERIES_LABEL) {
                    readEntry(in);
                } else if (tag == SERIES_VALUE) {
                    value = in.readDouble();
                } else {
                    skip(in, tag);
                }
            }
            in.popLimit(outer);
            int count = labels.size();
            if (count > limits.maxLabelsPerSeries()) {
                return "series " + index + " has " + count + " labels, more than the limit of "
                        + limits.maxLabelsPerSeries();
            }
            if (keyIds.length < count) {
                keyIds = new int[count];
                valueIds = new int[count];
            }
            for (int i = 0; i < count; i++) {
                String key = labels.key(i);
                int newKey = table.keyCount();
                int k = table.key(key);
                if (k == newKey && !LabelRules.isPlainKey(key)) {
                    List<String> errors = LabelRules.keyErrors(key);
                    if (!errors.isEmpty()) {
                        return "series " + index + ": label key \"" + StatusJson.abbreviate(key) + "\": "
                                + String.join("; ", errors);
                    }
                }
                String labelValue = labels.value(i);
                int newValue = table.valueCount(k);
                int v = table.value(k, labelValue);
                if (v == newValue && !LabelRules.isValue(labelValue)) {
                    List<String> errors = LabelRules.valueErrors(labelValue);
                    if (!errors.isEmpty()) {
                        return "series " + index + ": label \"" + key + "\" value \""
                                + StatusJson.abbreviate(labelValue) + "\": " + String.join("; ", errors);
                    }
                }
                keyIds[i] = k;
                valueIds[i] = v;
            }
            if (!table.add(keyIds, valueIds, count, value)) {
                return "series " + index + " repeats the labels " + labels.asMap();
            }
            if (!Double.isFinite(value)) {
                return "series " + index + " " + labels.asMap() + " is " + value
                        + "; only finite numbers can be served";
            }
            return null;
        }

        /** Reads one entry of a series' label map; a missing key or value is "", as in protobuf. */
        private void readEntry(CodedInputStream in) throws IOException {
            int outer = in.pushLimit(in.readRawVarint32());
            String key = "";
            String value = "";
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == ENTRY_KEY) {
                    key = in.readStringRequireUtf8();
                } else if (tag == ENTRY_VALUE) {
                    value = in.readStringRequireUtf8();
                } else {
                    skip(in, tag);
                }
            }
            in.popLimit(outer);
            labels.put(key, value);
        }

        /** Skips an unknown field, as protobuf does; an end-group tag where none is open fails the message. */
        private static void skip(CodedInputStream in, int tag) throws IOException {
            if (!in.skipField(tag)) {
                throw new InvalidProtocolBufferException("Protocol message end-group tag did not match expected tag.");
            }
        }
    }

    /**
     * One series' labels as read, in the order protobuf's map keeps them: a key keeps the place of its
     * first entry and the value of its last. Searched linearly while small (series mostly have a few
     * labels), through a hash map beyond, so a series of many entries is not read in quadratic time.
     */
    private static final class SeriesLabelsRead {
        private static final int LINEAR_UP_TO = 16;
        private String[] keys = new String[8];
        private String[] values = new String[8];
        private int size;
        private HashMap<String, Integer> index;

        void clear() {
            Arrays.fill(keys, 0, size, null);
            Arrays.fill(values, 0, size, null);
            size = 0;
            index = null;
        }

        int size() {
            return size;
        }

        String key(int i) {
            return keys[i];
        }

        String value(int i) {
            return values[i];
        }

        void put(String key, String value) {
            if (index == null) {
                for (int i = 0; i < size; i++) {
                    if (keys[i].equals(key)) {
                        values[i] = value;
                        return;
                    }
                }
                if (size == LINEAR_UP_TO) {
                    index = HashMap.newHashMap(LINEAR_UP_TO * 2);
                    for (int i = 0; i < size; i++) {
                        index.put(keys[i], i);
                    }
                }
            }
            if (index != null) {
                Integer at = index.putIfAbsent(key, size);
                if (at != null) {
                    values[at] = value;
                    return;
                }
            }
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            keys[size] = key;
            values[size++] = value;
        }

        /** The labels as a map printing as protobuf's did in the messages: {@code {key=value, ...}}. */
        Map<String, String> asMap() {
            Map<String, String> map = LinkedHashMap.newLinkedHashMap(size);
            for (int i = 0; i < size; i++) {
                map.put(keys[i], values[i]);
            }
            return map;
        }
    }
}
