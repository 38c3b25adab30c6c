package io.externalmetrics.adapter.auth;

import io.externalmetrics.adapter.security.ClientCaBundle;
import java.util.List;
import java.util.Objects;

/**
 * Who the front proxy is and which headers carry the caller's identity: what the configuration's
 * {@code authentication.requestHeader} or the ConfigMap {@code kube-system/extension-apiserver-authentication}
 * ({@code requestheader-*} keys) say. Replaced as one value, so a request never sees a new CA with
 * old names.
 *
 * @param ca                  the request-header CA: the proxy's certificate must verify against it
 * @param allowedNames        common names the proxy's certificate may carry; empty: any the CA signed
 * @param usernameHeaders     headers naming the user, first non-empty wins
 * @param uidHeaders          headers carrying the uid, first non-empty wins
 * @param groupHeaders        headers naming groups, every non-empty value of every one
 * @param extraHeaderPrefixes prefixes of headers carrying extra attributes
 */
public record RequestHeaderSettings(ClientCaBundle ca, List<String> allowedNames, List<String> usernameHeaders,
                                    List<String> uidHeaders, List<String> groupHeaders,
                                    List<String> extraHeaderPrefixes) {

    public RequestHeaderSettings {
        Objects.requireNonNull(ca, "ca");
        allowedNames = List.copyOf(allowedNames);
        usernameHeaders = List.copyOf(usernameHeaders);
        uidHeaders = List.copyOf(uidHeaders);
        groupHeaders = List.copyOf(groupHeaders);
        extraHeaderPrefixes = List.copyOf(extraHeaderPrefixes);
    }
}
