package dev.tandem.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.measure.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The earlier run that {@code --compare} names: read and checked when the command line is parsed,
 * before anything is measured. It must be the {@code results.json} of a lab run (format
 * {@value #FORMAT} or the older {@value #OLD_FORMAT}), with its options and sections.
 *
 * @param path the file as given
 * @param results its contents
 */
record Baseline(Path path, JsonNode results) {
    /** The format this lab writes. */
    static final String FORMAT = "tandem-lab-results/2";
    /** The format of earlier labs, which recorded no load; still comparable. */
    static final String OLD_FORMAT = "tandem-lab-results/1";

    Baseline {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(results, "results");
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws IllegalArgumentException if it is unreadable or not a lab's results; the message names
     *         the file and says what to give instead
     */
    static Baseline read(Path file) {
        String what = "--compare " + file;
        String give = "; give the results.json of an earlier tandem lab run";
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(what + ": no such readable file" + give);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    what + ": not JSON (" + e.getOriginalMessage() + " at line "
                            + e.getLocation().getLineNr() + ")" + give,
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": cannot be read (" + e.getMessage() + ")" + give, e);
        }
        String format = root == null ? "" : root.path("schema").asText("");
        if (!format.equals(FORMAT) && !format.equals(OLD_FORMAT)) {
            throw new IllegalArgumentException(what + ": not a tandem lab results file (its \"schema\" is "
                    + (format.isEmpty() ? "missing" : "\"" + format + "\"") + ", expected \"" + FORMAT + "\")" + give);
        }
        List<String> missing = new ArrayList<>();
        for (String field : List.of("options", "sections", "machine", "jdk")) {
            if (!root.has(field)) {
                missing.add(field);
            }
        }
        if (!root.path("sections").isArray() || root.path("sections").isEmpty()) {
            missing.add("sections with metrics");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(
                    what + ": a damaged tandem lab results file (missing " + String.join(", ", missing) + ")" + give);
        }
        return new Baseline(file, root);
    }

    boolean quick() {
        return results.path("options").path("quick").asBoolean();
    }

    /** {@return the earlier run's section of this id, or null} */
    JsonNode section(String id) {
        for (JsonNode s : results.path("sections")) {
            if (s.path("id").asText().equals(id)) {
                return s;
            }
        }
        return null;
    }
}
