/**
 * The adapter's serving certificate: the kube-apiserver's aggregation layer only talks HTTPS to an
 * aggregated API server, so the adapter needs a TLS identity, either read from PEM files (a Secret
 * mounted by cert-manager or similar) or, when none is given, a self-signed one generated at start.
 *
 * <p>{@link io.externalmetrics.adapter.security.ServingCertificates} turns either into a Helidon
 * {@link io.helidon.common.tls.Tls} for the webserver listener; problems are reported as
 * {@link io.externalmetrics.adapter.security.TlsSetupException} naming the file and what is wrong.
 * {@link io.externalmetrics.adapter.security.ServingCertificateWatcher} re-reads the files as they
 * are rotated and swaps the certificate under the running listener.
 *
 * <p>Client certificates: the listener may ask for one
 * ({@link io.externalmetrics.adapter.security.ClientCertificates}, optional, any chain through the
 * handshake); {@link io.externalmetrics.adapter.security.ClientCaBundle} verifies a presented chain
 * per request against the CA bundle current then, and
 * {@link io.externalmetrics.adapter.security.CaBundleFile} keeps a bundle in step with its rotating file.
 *
 * <p>{@link io.externalmetrics.adapter.security.ClientTlsFiles} reads the files of the adapter's own
 * TLS client side, to providers configured with {@code tls}: their CA and the client certificate.
 */
package io.externalmetrics.adapter.security;
