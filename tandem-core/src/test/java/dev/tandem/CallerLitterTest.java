package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 §7: after a caller died, its {@code tandem-pool-*} folder stayed in {@code java.io.tmpdir}
 * for ever, and a caller killed while its worker trained the AOT cache left a 12 MB training file
 * for a day. Now the caller's exit (SIGTERM) removes both at once, and after a SIGKILL the next pool
 * start sweeps what the dead caller left, while a live pool's folder is never touched.
 *
 * <p>The callers are child JVMs ({@link OrphanParent}, {@link NextPoolStart}) with a private
 * {@code java.io.tmpdir} and {@code XDG_CACHE_HOME}; the first runs from jars, so that its first
 * worker trains an AOT cache.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CallerLitterTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SIGTERM", "SIGKILL"})
    void aDeadCallersFilesGoAndALivePoolsFolderStays(String signal, @TempDir Path temp) throws Exception {
        Path tmp = Files.createDirectory(temp.resolve("tmp"));
        Path cache = Files.createDirectory(temp.resolve("cache"));
        Path aot = cache.resolve("tandem").resolve("aot");
        String jars = jars(Files.createDirectory(temp.resolve("jars")));
        List<Process> started = new ArrayList<>();
        try {
            Process dying = start(started, tmp, cache, jars, OrphanParent.class);
            List<ProcessHandle> workers = workers(dying);
            // tmp and the cache are this test's own: what is there now is the dying caller's.
            List<String> folders = names(tmp);
            assertThat(folders).as("the caller's pool folder").isNotEmpty();
            assertThat(names(aot)).as("its worker trains the AOT cache").anyMatch(n -> n.contains(".tmp-"));

            if (signal.equals("SIGTERM")) {
                dying.destroy();
            } else {
                dying.destroyForcibly();
            }
            assertThat(dying.waitFor(60, TimeUnit.SECONDS)).isTrue();
            for (ProcessHandle w : workers) {
                w.onExit().get(120, TimeUnit.SECONDS); // a trainer that halts writes its cache first
            }
            if (signal.equals("SIGTERM")) {
                assertThat(names(tmp)).as("the exit removed the pool folder").doesNotContainAnyElementsOf(folders);
                assertThat(names(aot))
                        .as("the exit killed the trainer and removed its files")
                        .noneMatch(n -> n.contains(".tmp-"));
            } else {
                assertThat(names(tmp)).as("a SIGKILL leaves the folder").containsAll(folders);
                assertThat(names(aot)).as("and the training files").anyMatch(n -> n.contains(".tmp-"));
            }
            List<String> training =
                    names(aot).stream().filter(n -> n.contains(".tmp-")).toList();

            Process live = start(started, tmp, cache, System.getProperty("java.class.path"), OrphanParent.class);
            workers(live);
            List<String> liveFolders = new ArrayList<>(names(tmp));
            liveFolders.removeAll(folders);
            assertThat(liveFolders).as("the live caller's pool folder").isNotEmpty();
            Process next = start(started, tmp, cache, System.getProperty("java.class.path"), NextPoolStart.class);
            assertThat(next.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(next.exitValue()).isZero();

            assertThat(names(tmp))
                    .as("the next start swept the dead caller's folder")
                    .doesNotContainAnyElementsOf(folders);
            assertThat(names(aot)).as("and its training files").noneMatch(training::contains);
            assertThat(names(tmp)).as("a live pool's folder is never swept").containsAll(liveFolders);
            live.destroy();
            assertThat(live.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(names(tmp)).as("nothing is left").isEmpty();
        } finally {
            for (Process p : started) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Process start(List<Process> started, Path tmp, Path cache, String classPath, Class<?> main)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(List.of(
                        System.getProperty("java.home") + "/bin/java",
                        "--enable-native-access=ALL-UNNAMED",
                        "-Djava.io.tmpdir=" + tmp,
                        "-cp",
                        classPath,
                        main.getName()))
                .redirectErrorStream(true);
        builder.environment().put("XDG_CACHE_HOME", cache.toString());
        Process p = builder.start();
        started.add(p);
        return p;
    }

    /** {@return the workers of an {@link OrphanParent}, once it printed them} */
    private static List<ProcessHandle> workers(Process parent) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("PIDS ")) {
            seen.append(line).append('\n');
        }
        assertThat(line)
                .as("the caller printed its workers' pids; it printed:\n%s", seen)
                .isNotNull();
        List<ProcessHandle> workers = new ArrayList<>();
        for (String pid : line.substring(5).split(",")) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(workers::add);
        }
        return workers;
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** {@return this JVM's class path with every directory made a jar, as the AOT cache requires} */
    private static String jars(Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.isDirectory(source)) {
                entries.add(entry);
                continue;
            }
            Path jar = dir.resolve("entry-" + n++ + ".jar");
            try (OutputStream file = Files.newOutputStream(jar);
                    JarOutputStream out = new JarOutputStream(file);
                    Stream<Path> files = Files.walk(source)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    out.putNextEntry(
                            new JarEntry(source.relativize(f).toString().replace(File.separatorChar, '/')));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
            entries.add(jar.toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
