package dev.tandem.measure.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Compiles a user's class into a directory of its own, outside the test JVM's class path, as a user
 * of {@code tandem advise --classpath} would have it. Uses the running JDK's {@code javac} with the
 * test's class path, so the class may use Tandem's API.
 */
public final class UserClasses {
    private UserClasses() {}

    /**
     * Compiles {@code source}, the text of class {@code binaryName}, under {@code dir}.
     *
     * @return the directory of the compiled classes, for {@code --classpath}
     * @throws IOException if javac cannot run or reports an error (its output is the message)
     */
    public static Path compile(Path dir, String binaryName, String source) throws IOException, InterruptedException {
        Path src = dir.resolve("src").resolve(binaryName.replace('.', '/') + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = dir.resolve("classes");
        String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
        Process p = new ProcessBuilder(
                        javac, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), src.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("javac did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("javac failed: " + output);
        }
        return classes;
    }
}
