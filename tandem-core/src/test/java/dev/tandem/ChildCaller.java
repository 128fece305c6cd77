package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a caller JVM (a main class of these tests) to its end and returns what it printed. */
final class ChildCaller {
    private ChildCaller() {}

    /**
     * Runs {@code main} with this JVM's class path and {@code jvmOptions}, waits for it (bounded),
     * and fails unless it exits 0.
     *
     * @return its stdout and stderr, merged
     */
    static String run(List<String> jvmOptions, Class<?> main, long seconds) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + "/bin/java");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        Process caller = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(caller.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(caller.waitFor(seconds, TimeUnit.SECONDS)).as(output).isTrue();
            assertThat(caller.exitValue()).as(output).isZero();
            return output;
        } finally {
            caller.destroyForcibly();
            caller.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
