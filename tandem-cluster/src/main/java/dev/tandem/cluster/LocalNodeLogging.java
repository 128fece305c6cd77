package dev.tandem.cluster;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.ConsoleHandler;
import java.util.logging.LogManager;
import java.util.logging.SimpleFormatter;

/**
 * The logging configuration of a local cluster's node JVMs ({@code java.util.logging.config.class},
 * one of {@link LocalNodes#NODE_FLAGS}): the JDK's defaults (a console handler, INFO), with Hazelcast's
 * own loggers at SEVERE. A local node's output goes to its caller's, prefixed {@code [node i]}, and
 * Hazelcast's warnings there ("Suspecting Member ...", "Removing connection ...", "Resetting
 * heartbeat timestamps ...") told again of a loss the caller already reports itself, once, in its
 * own words (a {@code NodeLostException}, one log line). Hazelcast's errors still print. Public only
 * because {@link LogManager} instantiates it; not for direct use.
 */
public final class LocalNodeLogging {
    /** The configuration, in {@link LogManager}'s properties format. */
    private final String configuration = String.join(
            "\n",
            "handlers=" + ConsoleHandler.class.getName(),
            ".level=INFO",
            ConsoleHandler.class.getName() + ".level=INFO",
            ConsoleHandler.class.getName() + ".formatter=" + SimpleFormatter.class.getName(),
            "com.hazelcast.level=SEVERE",
            "");

    /** Reads its configuration into the {@link LogManager}, which calls this as it starts. */
    public LocalNodeLogging() {
        try {
            LogManager.getLogManager()
                    .readConfiguration(new ByteArrayInputStream(configuration.getBytes(StandardCharsets.ISO_8859_1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
