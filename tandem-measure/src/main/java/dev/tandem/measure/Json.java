package dev.tandem.measure;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one Jackson mapper of the lab and the advisor: results files, chart options, child JVMs' answers. */
public final class Json {
    /** Thread-safe once configured, as Jackson documents; never reconfigured. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /**
     * {@return what is wrong with a JSON text, for people, on one line: Jackson's own words without its
     * " (through reference chain: ...)", its "[Source: ...; line: 1, column: 2]" and "(start marker at
     * ...)" parts, followed by where, "at line 3, column 7"} A malformed compare file printed all of them.
     *
     * @param e what Jackson threw
     */
    public static String problem(JsonProcessingException e) {
        String m = UsageErrors.oneLine(String.valueOf(e.getOriginalMessage()));
        m = m.replaceAll("\\s*\\(through reference chain:[^)]*\\)", "")
                .replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
                .replaceAll("\\s*(at )?\\[Source:[^\\]]*\\]", "")
                .replaceAll("[;\\s]+$", "");
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 0 ? m : m + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
