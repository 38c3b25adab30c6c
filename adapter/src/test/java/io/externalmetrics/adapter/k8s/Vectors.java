package io.externalmetrics.adapter.k8s;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the shared test vectors ({@code shared/testdata/*.json}, checked against Kubernetes' Go code).
 * Missing vectors fail the test: a skipped compatibility check would look like a passing one.
 */
final class Vectors {

    private Vectors() {
    }

    /** The entries of the array {@code section} in {@code testdata/<file>}. */
    static List<JsonNode> load(String file, String section) {
        // Surefire sets the property (root pom); the fallback is relative to the adapter module.
        String shared = System.getProperty("externalmetrics.shared", "../../shared");
        Path path = Path.of(shared, "testdata", file).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            fail("test vectors not found at " + path
                    + ": set -Dexternalmetrics.shared=<dir holding testdata/> or run from the project checkout");
        }
        try {
            JsonNode entries = new ObjectMapper().readTree(path.toFile()).path(section);
            if (!entries.isArray() || entries.isEmpty()) {
                fail("no '" + section + "' vectors in " + path);
            }
            List<JsonNode> list = new ArrayList<>();
            entries.forEach(list::add);
            return list;
        } catch (IOException e) {
            return fail("cannot read test vectors " + path + ": " + e);
        }
    }

    /** The text field {@code name} of {@code entry}, failing when it is missing. */
    static String text(JsonNode entry, String name) {
        JsonNode field = entry.get(name);
        if (field == null || !field.isTextual()) {
            fail("vector " + entry + " has no text field '" + name + "'");
        }
        return field.asText();
    }
}
