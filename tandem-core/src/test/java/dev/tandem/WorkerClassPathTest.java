package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classes that workers cannot load from their class path: copied to them when the caller defines
 * classes in memory (as jshell and the source launcher do), refused at {@code submit} with what to do
 * otherwise. Launches from real jshell, source launcher, Spring Boot jars and module paths are in
 * tandem-it's LaunchAnywhereIT.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerClassPathTest {
    private static final String TASK = "dev.tandem.ShippedTask";
    private static final String GREETING = "dev.tandem.ShippedTask$Greeting";

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = WorkerClassPathTest.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines the task's classes itself, from bytes in memory, as jshell's and the source launcher's loaders do. */
    static final class MemoryLoader extends ClassLoader {
        MemoryLoader() {
            super("memory", WorkerClassPathTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && (name.equals(TASK) || name.equals(GREETING))) {
                    try {
                        byte[] b = bytes(name);
                        c = defineClass(name, b, 0, b.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return c != null ? c : super.loadClass(name, resolve);
            }
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            String cls = name.replace('/', '.').replaceFirst("\\.class$", "");
            if (cls.equals(TASK) || cls.equals(GREETING)) {
                try {
                    return new ByteArrayInputStream(bytes(cls));
                } catch (IOException e) {
                    return null;
                }
            }
            return super.getResourceAsStream(name);
        }

        @Override
        public URL getResource(String name) {
            String cls = name.replace('/', '.').replaceFirst("\\.class$", "");
            return cls.equals(TASK) || cls.equals(GREETING) ? null : super.getResource(name);
        }
    }

    @Test
    void thePrivateFolderOfALongClassPathIsAPoolFolderStampedWithThisJvm(@TempDir Path dir) throws Exception {
        // Issue 12: it was tandem-classpath-<random>, which no sweep knew, so a SIGKILLed caller left it.
        Tandem.Builder builder = Tandem.processes(1);
        int chars = 0;
        for (int i = 0; chars <= WorkerClassPath.MAX_INLINE_CHARS; i++) {
            Path entry = Files.createDirectory(dir.resolve(String.format("%03d-%s", i, "x".repeat(200))));
            builder.classPath(entry.toString());
            chars += entry.toString().length() + 1;
        }
        Path folder;
        try (WorkerClassPath path = WorkerClassPath.of(builder.options())) {
            assertThat(path.arguments()).singleElement().asString().startsWith("@");
            folder = path.privateDir();
            assertThat(PoolFolder.ownerOf(folder.getFileName().toString())).contains(OwnerStamp.self());
            assertThat(folder.resolve("classpath.args")).isRegularFile();
        }
        assertThat(folder).as("deleted when the pool closes").doesNotExist();
    }

    @Test
    void classesThatExistOnlyInMemoryAreCopiedToTheWorkers() throws Exception {
        MemoryLoader memory = new MemoryLoader();
        Class<?> taskClass = memory.loadClass(TASK);
        assertThat(taskClass.getClassLoader()).isSameAs(memory);
        @SuppressWarnings("unchecked")
        Task<String> task = (Task<String>) taskClass.getConstructor().newInstance();
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(memory); // as jshell and the source launcher run their programs
        try (TaskPool pool = Tandem.processes(1).start()) {
            String out = pool.submit(task).get(60, TimeUnit.SECONDS);
            assertThat(out)
                    .startsWith("shipped ran in ")
                    .doesNotEndWith(" " + ProcessHandle.current().pid());
        } finally {
            t.setContextClassLoader(before);
        }
    }

    @Test
    void aClassFromAFolderOffTheWorkerClassPathIsRefusedAtSubmitSayingWhatToDo(@TempDir Path dir) throws Exception {
        for (String name : new String[] {TASK, GREETING}) {
            Path f = dir.resolve(name.replace('.', '/') + ".class");
            Files.createDirectories(f.getParent());
            Files.write(f, bytes(name));
        }
        // Child first for the task's classes, so that they come from the folder, not the test's class path.
        try (URLClassLoader plugin = new URLClassLoader(
                        new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()) {
                    @Override
                    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                        synchronized (getClassLoadingLock(name)) {
                            Class<?> c = findLoadedClass(name);
                            if (c == null && name.startsWith(TASK)) {
                                c = findClass(name);
                            }
                            return c != null ? c : super.loadClass(name, resolve);
                        }
                    }
                };
                TaskPool pool = Tandem.processes(1).start()) {
            @SuppressWarnings("unchecked")
            Task<String> task =
                    (Task<String>) plugin.loadClass(TASK).getConstructor().newInstance();
            assertThatThrownBy(() -> pool.submit(task))
                    .isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("workers cannot load " + TASK)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("classPath(...)");
        }
        try (TaskPool pool = Tandem.processes(1).classPath(dir.toString()).start()) {
            assertThat(pool.submit(new ShippedTask()).get(60, TimeUnit.SECONDS)).startsWith("shipped ran in ");
        }
    }
}
