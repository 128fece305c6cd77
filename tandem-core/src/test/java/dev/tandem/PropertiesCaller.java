package dev.tandem;

import java.util.Locale;
import java.util.TimeZone;

/**
 * Main class of a caller JVM started with {@code -D} options: it runs one task in every mode and
 * over both transports and prints each answer as {@code <mode>: <answer>} for
 * {@link SystemPropertiesTest}.
 */
public final class PropertiesCaller {
    private PropertiesCaller() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("app.changed", "after"); // given as "before" on the command line
        Task<String> task = () -> String.join(
                        " | ",
                        TimeZone.getDefault().getID(),
                        Locale.getDefault().toString(),
                        String.valueOf(System.getProperty("app.profile")),
                        String.format("%,.2f", 1234567.5),
                        String.valueOf(System.getProperty("app.tricky")),
                        String.valueOf(System.getProperty("app.changed")))
                .replace("\n", "\\n");
        try (TaskPool pool = Tandem.threads(1).start()) {
            System.out.println("threads: " + pool.submit(task).get());
        }
        for (Transport transport : Transport.values()) {
            try (TaskPool pool = isolated(Tandem.processes(1), transport).start()) {
                System.out.println(
                        "processes " + transport + ": " + pool.submit(task).get());
                System.out.println("worker command " + transport + ": "
                        + pool.submit(() -> String.join(
                                        " ",
                                        ProcessHandle.current()
                                                .info()
                                                .arguments()
                                                .orElse(new String[0])))
                                .get());
            }
            try (TaskPool pool = isolated(Tandem.hybrid(1, 2), transport).start()) {
                System.out.println(
                        "hybrid " + transport + ": " + pool.submit(task).get());
            }
            try (TaskPool pool = isolated(Tandem.processes(1), transport)
                    .inheritSystemProperties(false)
                    .start()) {
                System.out.println(
                        "not inherited " + transport + ": " + pool.submit(task).get());
            }
        }
    }

    private static Tandem.Builder isolated(Tandem.Builder builder, Transport transport) {
        return builder.transport(transport).aotCache(false);
    }
}
