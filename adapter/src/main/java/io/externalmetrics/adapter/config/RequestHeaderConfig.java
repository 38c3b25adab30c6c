package io.externalmetrics.adapter.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The front proxy (the kube-apiserver's aggregation layer): who may send identity headers, and which.
 * Headers are trusted only from a connection whose client certificate verifies against the
 * request-header CA and, when {@code allowedNames} is not empty, carries one of those common names.
 *
 * @param clientCAFile        the request-header CA bundle; empty when {@code fromCluster}
 * @param fromCluster         read the CA and the settings below from the ConfigMap
 *                            {@code kube-system/extension-apiserver-authentication} instead
 * @param allowedNames        common names the proxy's certificate may carry; empty: any the CA signed
 * @param usernameHeaders     headers naming the user, first non-empty wins
 * @param uidHeaders          headers carrying the user's uid, first non-empty wins
 * @param groupHeaders        headers naming groups, every value of every one
 * @param extraHeaderPrefixes prefixes of headers carrying extra attributes
 */
public record RequestHeaderConfig(Optional<Path> clientCAFile, boolean fromCluster, List<String> allowedNames,
                                  List<String> usernameHeaders, List<String> uidHeaders, List<String> groupHeaders,
                                  List<String> extraHeaderPrefixes) {

    /** Kubernetes' defaults, as kube-apiserver's {@code --requestheader-*} flags are usually set. */
    public static final List<String> DEFAULT_USERNAME_HEADERS = List.of("X-Remote-User");
    public static final List<String> DEFAULT_UID_HEADERS = List.of("X-Remote-Uid");
    public static final List<String> DEFAULT_GROUP_HEADERS = List.of("X-Remote-Group");
    public static final List<String> DEFAULT_EXTRA_HEADER_PREFIXES = List.of("X-Remote-Extra-");

    public RequestHeaderConfig {
        Objects.requireNonNull(clientCAFile, "clientCAFile");
        allowedNames = List.copyOf(allowedNames);
        usernameHeaders = List.copyOf(usernameHeaders);
        uidHeaders = List.copyOf(uidHeaders);
        groupHeaders = List.copyOf(groupHeaders);
        extraHeaderPrefixes = List.copyOf(extraHeaderPrefixes);
        if (clientCAFile.isPresent() == fromCluster) {
            throw new ConfigException("authentication.requestHeader: " + sourceProblem());
        }
    }

    /** The front proxy's CA from a file, every other setting at its default. */
    public static RequestHeaderConfig ofFile(Path clientCAFile, List<String> allowedNames) {
        return new RequestHeaderConfig(Optional.of(clientCAFile), false, allowedNames, DEFAULT_USERNAME_HEADERS,
                DEFAULT_UID_HEADERS, DEFAULT_GROUP_HEADERS, DEFAULT_EXTRA_HEADER_PREFIXES);
    }

    static String sourceProblem() {
        return "give exactly one of clientCAFile (the front proxy's CA) and fromCluster: true (read it from the "
                + "ConfigMap kube-system/extension-apiserver-authentication)";
    }
}
