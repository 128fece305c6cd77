package dev.tandem.measure;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one Jackson mapper of the lab and the advisor: results files, chart options, child JVMs' answers. */
public final class Json {
    /** Thread-safe once configured, as Jackson documents; never reconfigured. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}
}
