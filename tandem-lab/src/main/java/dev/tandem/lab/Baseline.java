package dev.tandem.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.tandem.measure.Json;
import dev.tandem.measure.Units;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The earlier run that {@code --compare} names: read and checked when the command line is parsed,
 * before anything is measured. It must be the {@code results.json} of a lab run of this format
 * ({@value #FORMAT}) and valid against {@code results.schema.json} (checked by the networknt JSON
 * Schema validator, draft 2020-12), so that a comparison never reads a field that is not there.
 *
 * @param path the file as given
 * @param results its contents
 */
record Baseline(Path path, JsonNode results) {
    /** The format this lab writes, and the only one it compares with. */
    static final String FORMAT = "tandem-lab-results/2";
    /** How every format of the lab's results begins: a directory whose results.json begins so is the lab's. */
    static final String FORMAT_FAMILY = "tandem-lab-results/";

    Baseline {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(results, "results");
    }

    /**
     * Reads and checks {@code file}: a regular, readable, non-empty file of JSON whose {@code schema}
     * is {@value #FORMAT} and which {@code results.schema.json} accepts.
     *
     * @throws IllegalArgumentException if it is not; the message is one line naming {@code --compare},
     *         the file as typed, what is wrong (the expected schema version, "empty", or the first
     *         schema violation) and what to give instead
     */
    static Baseline read(Path file) {
        String what = "--compare " + file;
        String give = "; give the results.json of an earlier tandem lab run";
        if (file.toString().isBlank()) { // Path.of("") is the working directory: said to be "a directory"
            throw new IllegalArgumentException("--compare '" + file + "': an empty path" + give);
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(what + ": is a directory, not a file" + give);
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(what + ": no such file" + give);
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(what + ": not a readable regular file" + give);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) { // was "cannot be read (Input length = 1)"
            throw new IllegalArgumentException(
                    what + ": not a UTF-8 JSON file (it holds bytes that are not UTF-8 text)" + give, e);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(what + ": cannot be read (" + e.getMessage() + ")" + give, e);
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException(what + ": empty (" + text.length() + " bytes)" + give);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            // Json.problem: Jackson's words without its "[Source: ...]" and reference chain, then where
            throw new IllegalArgumentException(what + ": not JSON (" + Json.problem(e) + ")" + give, e);
        }
        String format = root.isObject() ? root.path("schema").asText("") : "";
        String other = root.isObject() ? root.path("format").asText("") : "";
        if (format.isEmpty() && other.startsWith("tandem-advise/")) {
            // was: 'its "schema" is missing' for the advisor's results, which name their format in "format"
            throw new IllegalArgumentException(what + ": the results of tandem advise (\"format\": \"" + other
                    + "\"), not of the lab; give a results.json of tandem lab");
        }
        if (!format.equals(FORMAT)) {
            throw new IllegalArgumentException(what + ": not a results file of this lab (its \"schema\" is "
                    + (format.isEmpty() ? "missing" : "\"" + format + "\"") + ", expected schema version \""
                    + FORMAT + "\")" + give
                    + (format.startsWith("tandem-lab-results/") ? " by this version of the lab" : ""));
        }
        List<Error> errors = Holder.SCHEMA.validate(text, InputFormat.JSON);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(what + ": does not match results.schema.json ("
                    + violation(errors.getFirst())
                    + (errors.size() > 1 ? "; " + (errors.size() - 1) + " more" : "") + ")" + give);
        }
        return new Baseline(file, root);
    }

    /** {@return one schema violation in words: where, and what} */
    static String violation(Error e) {
        String where = String.valueOf(e.getInstanceLocation());
        String message = Units.firstLine(String.valueOf(e.getMessage()));
        return message.startsWith(where) ? message : where + ": " + message;
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

    /** The schema of results.json, loaded once from beside this class. */
    private static final class Holder {
        static final Schema SCHEMA = load();

        private static Schema load() {
            try (InputStream in = Baseline.class.getResourceAsStream("results.schema.json")) {
                if (in == null) {
                    throw new IllegalStateException("results.schema.json is missing from the lab's jar");
                }
                return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                        .getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
