package io.externalmetrics.provider;

import io.externalmetrics.proto.v1.MetricRef;

/** A metric's identity: the namespace it is registered under ("*" included) and its name. */
record MetricKey(String namespace, String name) {

    static MetricKey of(MetricRef ref) {
        return new MetricKey(ref.getNamespace(), ref.getName());
    }

    MetricRef toProto() {
        return MetricRef.newBuilder().setNamespace(namespace).setName(name).build();
    }

    /** How error messages name a metric. */
    @Override
    public String toString() {
        return "metric " + Labels.quote(name) + " in namespace " + Labels.quote(namespace);
    }
}
