package io.externalmetrics.adapter.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/** What authentication and authorization look at in one HTTP request; the HTTP layer fills it in. */
public interface AuthRequest {

    /**
     * The request's path in every form the server routes or reads it by (decoded and raw): a path
     * is always allowed only when every form matches, so an encoded {@code ..} cannot borrow a
     * probe's exemption.
     */
    List<String> paths();

    /** What the request asks to do. */
    Attributes attributes();

    /** Every value of the header {@code name} (matched ignoring case), in order; empty when absent. */
    List<String> headers(String name);

    /** The names of the headers present, as sent. */
    Set<String> headerNames();

    /** The certificate chain the client presented in the TLS handshake, leaf first; empty when none. */
    List<X509Certificate> peerCertificates();
}
