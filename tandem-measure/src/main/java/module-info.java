/**
 * What {@code tandem lab} and {@code tandem advise} both need to measure honestly and to report:
 * one definition of percentiles, the machine's load and pace, the operating system's counters
 * ({@code /proc}), child JVMs, steady-state round trips of a pool, tables, and one HTML page writer.
 *
 * <p>Not an API: exported only to the lab, the advisor and the command line (which shares
 * {@link dev.tandem.measure.WholeNumber}, the converter of whole-number options).
 */
module dev.tandem.measure {
    requires transitive dev.tandem;
    requires transitive com.fasterxml.jackson.databind;
    requires java.management;
    requires java.logging;
    requires jdk.management;
    requires info.picocli;

    exports dev.tandem.measure to
            dev.tandem.lab,
            dev.tandem.advisor,
            dev.tandem.cli;
}
