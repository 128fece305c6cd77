package dev.tandem;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;

/**
 * The system properties a worker JVM takes from its caller, so that a task answers the same in
 * every mode: with {@code -Duser.timezone=Asia/Tokyo -Duser.language=de -Duser.country=DE
 * -Dapp.profile=x}, {@code threads(1)} and {@code processes(1)} both see Tokyo, German number
 * formats and {@code app.profile=x}.
 *
 * <h2>The rule</h2>
 * <ul>
 * <li>Every property given to the caller on its command line ({@code -Dkey=value}, also through
 * {@code JDK_JAVA_OPTIONS} or {@code JAVA_TOOL_OPTIONS}), with the value it has when the pool
 * starts, unless it is one of {@link #NEVER} or starts with one of {@link #NEVER_PREFIXES}: what the
 * JVM computes for itself, what names the caller's own class path or installation, and Tandem's own
 * settings of the worker.
 * <li>The caller's effective default time zone and locale ({@link TimeZone#getDefault()},
 * {@link Locale#getDefault()} and its format and display categories), even when they were not
 * given on the command line (the caller may have called {@code TimeZone.setDefault}).
 * </ul>
 * Properties set with {@code System.setProperty} alone are not passed: many are a library's own
 * state, not configuration. Passing is on by default and turned off by
 * {@code Tandem.Builder.inheritSystemProperties(false)}; a worker's {@code jvmOptions} come later and
 * win. Whatever the option, workers write their stdout and stderr in the caller's
 * {@code stdout.encoding} and {@code stderr.encoding}, which {@link OutputPump} decodes.
 *
 * <h2>Argument file</h2>
 * The properties go to the worker in a Java launcher argument file ({@code @file}) in the pool's
 * private folder, not on its command line: values the user gave the caller (passwords included)
 * then do not show in the worker's {@code ps} line, nor in a {@link WorkerStartException}'s command,
 * and no length limit of the command line applies. Stateless.
 */
final class InheritedProperties {
    /** Never passed: computed by each JVM, or naming the caller's own files. */
    static final Set<String> NEVER = Set.of(
            "java.class.path",
            "java.home",
            "java.system.class.loader",
            "user.dir",
            "line.separator",
            "file.separator",
            "path.separator",
            "native.encoding",
            "stdout.encoding",
            "stderr.encoding",
            "sun.jnu.encoding",
            "sun.java.command",
            "sun.java.launcher",
            "sun.boot.library.path");
    /** Never passed: the JVM's read-only facts, module settings, internals, and Tandem's own. */
    static final List<String> NEVER_PREFIXES = List.of(
            "java.vm.",
            "java.runtime.",
            "java.specification.",
            "java.vendor",
            "java.version",
            "java.class.version",
            "jdk.module.",
            "jdk.internal.",
            "jdk.debug",
            "os.",
            "sun.arch.",
            "sun.cpu.",
            "sun.io.",
            "sun.management.",
            "sun.os.",
            "tandem.");

    /**
     * The keys given as {@code -D} on this JVM's command line, read once: the first read starts
     * {@code java.lang.management} (some tens of milliseconds, once per JVM), and the command line
     * never changes.
     */
    private static volatile List<String> commandLineKeys;

    private InheritedProperties() {}

    private static List<String> commandLineKeys() {
        List<String> keys = commandLineKeys;
        if (keys == null) {
            keys = new ArrayList<>();
            for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (argument.startsWith("-D")) {
                    int equals = argument.indexOf('=');
                    keys.add(equals < 0 ? argument.substring(2) : argument.substring(2, equals));
                }
            }
            keys = List.copyOf(keys);
            commandLineKeys = keys;
        }
        return keys;
    }

    /** {@return whether a property given on the caller's command line is passed to workers} */
    static boolean passes(String key) {
        if (key.isEmpty() || NEVER.contains(key)) {
            return false;
        }
        for (String prefix : NEVER_PREFIXES) {
            if (key.startsWith(prefix)) {
                return false;
            }
        }
        return true;
    }

    /** {@return the properties workers take, as {@code -Dkey=value} arguments, as of now} */
    static List<String> arguments() {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String key : commandLineKeys()) {
            String value = System.getProperty(key);
            if (value != null && passes(key)) {
                properties.put(key, value);
            }
        }
        properties.put("user.timezone", TimeZone.getDefault().getID());
        locale(properties, "", Locale.getDefault());
        for (Locale.Category category : Locale.Category.values()) {
            Locale l = Locale.getDefault(category);
            if (!l.equals(Locale.getDefault())) {
                locale(properties, "." + category.name().toLowerCase(Locale.ROOT), l);
            }
        }
        List<String> out = new ArrayList<>(properties.size());
        properties.forEach((key, value) -> out.add("-D" + key + "=" + value));
        return out;
    }

    private static void locale(Map<String, String> properties, String suffix, Locale locale) {
        properties.put("user.language" + suffix, locale.getLanguage());
        properties.put("user.script" + suffix, locale.getScript());
        properties.put("user.country" + suffix, locale.getCountry());
        properties.put("user.variant" + suffix, locale.getVariant());
    }

    /** {@return the arguments that make a worker write its output as {@link OutputPump} reads it} */
    static List<String> outputEncodings() {
        return List.of(
                "-Dstdout.encoding=" + OutputPump.encoding("stdout.encoding").name(),
                "-Dstderr.encoding=" + OutputPump.encoding("stderr.encoding").name());
    }

    /**
     * Writes {@code arguments} as a Java launcher argument file, owner-only: one quoted argument per
     * line, with backslash escapes, in the charset the launcher reads it in ({@code sun.jnu.encoding};
     * a char it cannot encode becomes {@code ?}, as on a command line).
     *
     * @param file where to write it
     * @param arguments the arguments
     * @throws IOException if it cannot be written
     */
    static void writeArgumentFile(Path file, List<String> arguments) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String argument : arguments) {
            text.append('"');
            for (int i = 0; i < argument.length(); i++) {
                char c = argument.charAt(i);
                switch (c) {
                    case '"', '\\' -> text.append('\\').append(c);
                    case '\n' -> text.append("\\n");
                    case '\r' -> text.append("\\r");
                    case '\t' -> text.append("\\t");
                    case '\f' -> text.append("\\f");
                    default -> text.append(c);
                }
            }
            text.append("\"\n");
        }
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, text.toString().getBytes(OutputPump.encoding("sun.jnu.encoding")));
    }
}
