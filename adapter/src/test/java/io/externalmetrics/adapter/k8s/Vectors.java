package io.externalmetrics.adapter.k8s;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the test vectors in this package's {@code testdata/} test resources (Kubernetes' quantity and
 * selector cases, checked against kubectl's Go code; the README there says how). Missing vectors fail
 * the test: a skipped compatibility check would look like a passing one.
 */
final class Vectors {

    private static final String DIRECTORY = "testdata/";

    private Vectors() {
    }

    /** The entries of the array {@code section} in {@code testdata/<file>}. */
    static List<JsonNode> load(String file, String section) {
        String resource = DIRECTORY + file;
        try (InputStream in = Vectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                return fail("test vectors not found on the test classpath: "
                        + Vectors.class.getPackageName().replace('.', '/') + "/" + resource
                        + " (adapter/src/test/resources)");
            }
            JsonNode entries = new ObjectMapper().readTree(in).path(section);
            if (!entries.isArray() || entries.isEmpty()) {
                fail("no '" + section + "' vectors in " + resource);
            }
            List<JsonNode> list = new ArrayList<>();
            entries.forEach(list::add);
            return list;
        } catch (IOException e) {
            return fail("cannot read test vectors " + resource + ": " + e);
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
