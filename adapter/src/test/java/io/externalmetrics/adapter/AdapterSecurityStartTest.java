package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.config.AdapterConfig;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.FakeKubernetes;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting with security settings: what needs the kube-apiserver, what is only warned about. */
class AdapterSecurityStartTest {

    private static final String BASE = "server: {address: 127.0.0.1, port: 0}\n"
            + "providers: [{name: p, target: '127.0.0.1:1'}]\n";

    @TempDir
    Path dir;

    private AdapterConfig config(String security) {
        Path ca = TestPki.ca("ca").writeCertificate(dir.resolve("ca.crt"));
        return ConfigLoader.parse(BASE + security.replace("$CA", ca.toString()));
    }

    @Test
    void start_settingsThatNeedTheKubeApiserver_withoutAClient_failNamingTheSetting() {
        assertThatThrownBy(() -> Adapter.start(config("authentication: {clientCAFile: $CA}"), Clock.systemUTC(),
                KubernetesServices.NONE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("authorization.mode: SubjectAccessReview needs the kube-apiserver");
        assertThatThrownBy(() -> Adapter.start(config("""
                authentication: {tokenReview: true}
                authorization: {mode: AlwaysAllow}
                """), Clock.systemUTC(),
                KubernetesServices.NONE))
                .hasMessageContaining("authentication.tokenReview: true needs the kube-apiserver");
        assertThatThrownBy(() -> Adapter.start(config("""
                authentication: {requestHeader: {fromCluster: true}}
                authorization: {mode: AlwaysAllow}
                """), Clock.systemUTC(),
                KubernetesServices.NONE))
                .hasMessageContaining("authentication.requestHeader.fromCluster: true needs the kube-apiserver");
    }

    @Test
    void start_thatFails_closesTheKubernetesServices_andCloseClosesThem() {
        var failing = new FakeKubernetes(Set.of());
        assertThatThrownBy(() -> Adapter.start(config("""
                authentication: {requestHeader: {fromCluster: true}}
                authorization: {mode: AlwaysAllow}
                """), Clock.systemUTC(), failing));
        assertThat(failing.closed()).isTrue();

        var working = new FakeKubernetes(Set.of());
        Adapter adapter = Adapter.start(config("authentication: {clientCAFile: $CA}"), Clock.systemUTC(), working);
        assertThat(working.closed()).isFalse();
        adapter.close();
        assertThat(working.closed()).isTrue();
    }

    @Test
    void start_withoutAuthentication_servesEveryoneAndWarns() {
        try (LogRecords log = LogRecords.of(AccessSetup.class.getName());
             TestAdapter adapter = TestAdapter.start(config(""))) {
            assertThat(adapter.get("/apis").statusCode()).isEqualTo(200);
            assertThat(log.atLeast(Level.WARNING)).singleElement().asString()
                    .contains("no authentication configured", "every caller");
        }
    }

    @Test
    void start_withAlwaysAllow_needsNoKubeApiserverAndWarns() {
        try (LogRecords log = LogRecords.of(AccessSetup.class.getName());
             TestAdapter adapter = TestAdapter.start(config("""
                     authentication: {clientCAFile: $CA}
                     authorization: {mode: AlwaysAllow}
                     """))) {
            assertThat(adapter.get("/apis").statusCode()).isEqualTo(401);
            assertThat(log.atLeast(Level.WARNING)).singleElement().asString().contains("AlwaysAllow");
        }
    }

    @Test
    void reload_withOtherSecuritySettings_keepsTheCurrentOnesAndWarns() {
        try (TestAdapter adapter = TestAdapter.start(config("""
                     authentication: {clientCAFile: $CA}
                     authorization: {mode: AlwaysAllow}
                     """));
             LogRecords log = LogRecords.of(Adapter.class.getName())) {
            adapter.reload(config(""));

            assertThat(adapter.get("/apis").statusCode()).isEqualTo(401);
            assertThat(log.atLeast(Level.WARNING)).singleElement().asString()
                    .contains("authentication, authorization or kubernetes settings changed", "restart");
        }
    }
}
