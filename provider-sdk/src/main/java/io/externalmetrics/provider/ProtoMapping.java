package io.externalmetrics.provider;

import com.google.protobuf.Timestamp;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.Push;
import java.time.Duration;
import java.time.Instant;

/** SDK types to the wire messages of {@code externalmetrics/v1/provider.proto}; nothing else. */
final class ProtoMapping {

    private ProtoMapping() {
    }

    static FetchResponse toResponse(Value value) {
        var response = FetchResponse.newBuilder();
        value.value().ifPresent(response::setValue);
        for (Series series : value.series()) {
            response.addSeries(io.externalmetrics.proto.v1.Series.newBuilder()
                    .putAllLabels(series.labels())
                    .setValue(series.value()));
        }
        // A value from a metric function always has one: the server stamps it when the function
        // returns (MetricProviderService.observed).
        value.observedAt().ifPresent(at -> response.setObservedAt(toProto(at)));
        value.window().ifPresent(window -> response.setWindow(toProto(window)));
        return response.build();
    }

    static MetricDescriptor toDescriptor(Registration registration) {
        var descriptor = MetricDescriptor.newBuilder().setMetric(registration.key().toProto());
        switch (registration.trigger()) {
            case IntervalTrigger interval -> descriptor.setInterval(toProto(interval.interval()));
            case EventTrigger event -> descriptor.setPush(Push.getDefaultInstance());
        }
        registration.maxAge().ifPresent(maxAge -> descriptor.setMaxAge(toProto(maxAge)));
        return descriptor.build();
    }

    static com.google.protobuf.Duration toProto(Duration duration) {
        return com.google.protobuf.Duration.newBuilder()
                .setSeconds(duration.getSeconds())
                .setNanos(duration.getNano())
                .build();
    }

    static Timestamp toProto(Instant instant) {
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }
}
