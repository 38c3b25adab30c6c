package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.proto.v1.MetricRef;
import java.time.Duration;

/** Conversions between the contract's messages and the adapter's values, in one place. */
final class Protos {

    private Protos() {
    }

    /** A provider's metric reference as a key; an empty namespace means all namespaces. */
    static MetricKey key(MetricRef ref) {
        String namespace = ref.getNamespace();
        return new MetricKey(namespace.isEmpty() ? MetricKey.ALL_NAMESPACES : namespace, ref.getName());
    }

    static MetricRef ref(MetricKey key) {
        return MetricRef.newBuilder().setNamespace(key.namespace()).setName(key.name()).build();
    }

    static Duration duration(com.google.protobuf.Duration d) {
        return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }
}
