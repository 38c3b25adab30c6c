package io.externalmetrics.adapter.auth;

import java.util.Objects;

/** What a request asks to do, as a SubjectAccessReview describes it. */
public sealed interface Attributes permits Attributes.Resource, Attributes.NonResource {

    /**
     * A request on an API resource; for a metric value read: verb {@code list}, group
     * {@code external.metrics.k8s.io}, version {@code v1beta1}, the metric as resource, and its namespace.
     */
    record Resource(String verb, String group, String version, String resource, String namespace)
            implements Attributes {
        public Resource {
            Objects.requireNonNull(verb, "verb");
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(namespace, "namespace");
        }
    }

    /** A request on any other path, with verb {@code get} (as for {@code /apis} or {@code /openapi/v2}). */
    record NonResource(String path, String verb) implements Attributes {
        public NonResource {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(verb, "verb");
        }
    }
}
