package dev.tandem;

import dev.tandem.TaskSerializationException.Boundary;
import dev.tandem.protocol.WorkerLaunch;
import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * The class path of a pool's worker JVMs, worked out from what the caller's JVM actually loaded, so
 * that workers start however the caller was launched: {@code java -cp}, an executable or uber jar
 * ({@code java -jar}, Spring Boot's nested jars), {@code mvn exec:java} and other class loaders of
 * files, a module path of jars, folders or exploded modules ({@code java -p mods -m app/app.Main}),
 * an argument file, jshell and the single-file source launcher.
 *
 * <h2>Where the entries come from</h2>
 * <ol>
 * <li>The system class loader: {@code java.class.path} (a jar's manifest {@code Class-Path} is
 * followed by the worker's JVM itself), then every module of the boot layer that is not the JDK's,
 * by its location, then what {@code jdk.module.path} holds that the boot layer did not resolve (a
 * module folder's jars and exploded modules: {@code dev.tandem.worker} is needed by no module, so the
 * boot layer leaves it out).
 * <li>Every {@link URLClassLoader} between the system loader and the loaders of Tandem and of the
 * calling thread's context (Spring Boot's launcher, Maven's exec plugin, IDE and test runners):
 * their URLs, parent first. Code inside another jar is extracted to plain jars by
 * {@link NestedJars}.
 * <li>The user's {@code classPath(...)} entries.
 * <li>If a loader in those chains defines classes in memory (jshell, the source launcher, any loader
 * that is not a {@code URLClassLoader}), a class folder of this pool, filled at {@code submit} by
 * {@link ClassShipping} with the classes that tasks need.
 * </ol>
 * Entries that do not exist are dropped (the JVM would ignore them), duplicates too.
 *
 * <h2>At submit</h2>
 * {@link #makeVisible} is called with every class a task's serialized form names. A class that
 * workers cannot load is copied to the class folder, or, with no folder, refused with a message
 * that says what to do. The answer is cached per class, so a known class costs a lookup.
 *
 * <h2>Start failures</h2>
 * The pool checks when it is built that the worker's main class is on this path, and
 * {@link #diagnose} turns a worker JVM's own start error into what to do.
 *
 * <h2>Long class paths</h2>
 * Linux limits one argument to 128 KiB. A longer class path goes to the worker in a JVM argument
 * file ({@code @file}) in this pool's private folder.
 *
 * <p>Thread-safe. Files: the argument file and class folder in a private {@link PoolFolder} of
 * {@code java.io.tmpdir} (stamped with this JVM, so that a later pool's start sweeps it if this JVM
 * is killed), deleted by {@link #close()}; extracted jars in the cache of {@link NestedJars}.
 */
final class WorkerClassPath implements AutoCloseable {
    /** Class paths longer than this go to the worker in an argument file. */
    static final int MAX_INLINE_CHARS = 64 * 1024;

    private static final String WORKER_MAIN_FILE = WorkerLaunch.MAIN_CLASS.replace('.', '/') + ".class";

    private final List<String> entries;
    /** Normalised files and folders on the path, to tell whether a class's location is on it. */
    private final Set<Path> locations;
    /** This pool's private folder, or null until needed. Guarded by this. */
    private PoolFolder privateDir;
    /** The class folder for classes that exist only in memory, or null when no loader needs one. */
    private final ClassShipping shipping;
    /** Guarded by this. */
    private Path argFile;

    private final ClassValue<String> refusals = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return place(type);
        }
    };

    private WorkerClassPath(List<String> entries, boolean needsClassFolder) {
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String e : entries) {
            if (!e.isEmpty() && new File(e).exists()) {
                unique.add(Path.of(e).toAbsolutePath().normalize().toString());
            }
        }
        List<String> list = new ArrayList<>(unique);
        ClassShipping s = null;
        if (needsClassFolder) {
            try {
                Path classes = privateDir().resolve("classes");
                Files.createDirectories(classes);
                s = new ClassShipping(classes);
                list.add(classes.toString());
            } catch (IOException e) {
                throw new WorkerStartException(
                        "cannot create the folder for in-memory classes in " + System.getProperty("java.io.tmpdir")
                                + ": " + e,
                        e);
            }
        }
        this.shipping = s;
        this.entries = List.copyOf(list);
        Set<Path> locs = new LinkedHashSet<>();
        for (String e : list) {
            locs.add(Path.of(e));
        }
        this.locations = locs;
    }

    /**
     * Works out the worker class path of a pool built now, in this thread.
     *
     * @throws WorkerStartException if the worker's main class is not on it, saying what to add
     */
    static WorkerClassPath of(PoolOptions options) {
        return of(options, true);
    }

    /**
     * The jars and folders of {@link #of} that a cluster caller ships to its nodes: no class folder
     * for classes that exist only in memory (a node gets the class path once, at start).
     *
     * @throws WorkerStartException if the worker's main class is not on it, saying what to add
     */
    static List<String> shippable(PoolOptions options) {
        try (WorkerClassPath path = of(options, false)) {
            return path.entries();
        }
    }

    private static WorkerClassPath of(PoolOptions options, boolean classFolder) {
        List<String> cp = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        cp.addAll(split(System.getProperty("java.class.path")));
        cp.addAll(bootLayer());
        cp.addAll(modulePath(System.getProperty("jdk.module.path")));
        boolean inMemory = false;
        for (ClassLoader leaf : List.of(classLoaderOf(WorkerClassPath.class), contextLoader())) {
            for (ClassLoader l : chain(leaf)) {
                if (l instanceof URLClassLoader u) {
                    for (URL url : u.getURLs()) {
                        String entry = fileOf(url);
                        if (entry != null) {
                            cp.add(entry);
                        } else {
                            skipped.add(url.toString());
                        }
                    }
                }
                inMemory |= definesInMemory(l);
            }
        }
        cp.addAll(options.classPath());
        WorkerClassPath path = new WorkerClassPath(cp, inMemory && classFolder);
        path.requireWorkerMain(skipped);
        return path;
    }

    /**
     * A class path given whole, worked out elsewhere: on a cluster node, the caller's, shipped by
     * content and cached. Nothing is added to it, and no class is ever copied into it.
     *
     * @throws WorkerStartException if the worker's main class is not on it
     */
    static WorkerClassPath fixed(List<String> entries) {
        WorkerClassPath path = new WorkerClassPath(entries, false);
        path.requireWorkerMain(List.of());
        return path;
    }

    /** {@return the entries, in order; files and folders that exist} */
    List<String> entries() {
        return entries;
    }

    /** {@return the worker JVM's class path arguments: {@code -cp path}, or an argument file} */
    synchronized List<String> arguments() {
        String joined = String.join(File.pathSeparator, entries);
        if (joined.length() <= MAX_INLINE_CHARS) {
            return List.of("-cp", joined);
        }
        try {
            if (argFile == null) {
                Path f = privateDir().resolve("classpath.args");
                // An argument file takes quoted arguments; inside quotes, \ escapes.
                Files.writeString(f, "-cp \"" + joined.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n");
                argFile = f;
            }
            return List.of("@" + argFile);
        } catch (IOException e) {
            throw new WorkerStartException(
                    "cannot write the worker's argument file for a class path of " + joined.length() + " characters: "
                            + e,
                    e);
        }
    }

    /**
     * Makes sure workers can load {@code c}: nothing to do for the JDK's classes and those on the
     * path; a class that exists only in this JVM is copied to the class folder first.
     *
     * @param c a class named by a task's serialized form
     * @throws TaskSerializationException if workers cannot have it, saying what to do
     */
    void makeVisible(Class<?> c) {
        // jshell redefines classes and changes variables in place: its classes are checked each time.
        String refusal = c.getName().startsWith("REPL.") && shipping != null ? place(c) : refusals.get(c);
        if (refusal != null) {
            throw new TaskSerializationException(Boundary.ENCODE_TASK_IN_CALLER, refusal, null);
        }
    }

    /** {@return null if workers can load {@code c} (copying it if need be), else why not} */
    private String place(Class<?> c) {
        ClassLoader loader = c.getClassLoader();
        if (loader == null
                || loader == ClassLoader.getPlatformClassLoader()
                || loader == ClassLoader.getSystemClassLoader() // a worker's system loader has the same path
                || c.isPrimitive()
                || c.isArray()) {
            return null;
        }
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        URL url = cs == null ? null : cs.getLocation();
        if (url == null) { // no code source (jshell): where its loader says the class file is
            url = loader.getResource(c.getName().replace('.', '/') + ".class");
        }
        if (url != null && onPath(url)) {
            return null;
        }
        String where = c.getName() + " (class loader " + loader + (url == null ? "" : ", " + url) + ")";
        if (shipping == null) {
            return "workers cannot load " + where + ": its code is not in a jar or folder on the worker class"
                    + " path. Put it in a jar or folder on this JVM's class path (java -cp ...), or add its"
                    + " location with classPath(...)";
        }
        try {
            shipping.ship(c, this::onPath);
            return null;
        } catch (ClassShipping.Refused e) {
            return e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "workers cannot load " + where + ", and its bytes could not be copied for them (" + e
                    + "). Compile it into a jar or folder on the class path (java -cp ...), or add it with"
                    + " classPath(...)";
        }
    }

    /** {@return whether a class or code-source URL lies in a jar or folder on the path} */
    private boolean onPath(URL url) {
        String file = fileOf(url);
        if ("jrt".equals(url.getProtocol())) {
            return true;
        }
        if (file == null) {
            return false;
        }
        Path p = Path.of(file);
        for (Path loc = p; loc != null; loc = loc.getParent()) {
            if (locations.contains(loc)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Explains a worker JVM's start failure from its output, or says nothing.
     *
     * @param output what the worker JVM printed
     * @return a sentence that starts with a line break, or an empty string
     */
    String diagnose(String output) {
        if (output.contains("Could not find or load main class " + WorkerLaunch.MAIN_CLASS)
                || output.contains("ClassNotFoundException: " + WorkerLaunch.MAIN_CLASS)) {
            return "\nwhat to do: the worker's main class " + WorkerLaunch.MAIN_CLASS + " is not on its class path "
                    + entries + ". Depend on dev.tandem:tandem-worker at runtime (tandem-core brings it), or pass"
                    + " its jar with classPath(...)";
        }
        if (output.contains("UnsupportedClassVersionError")) {
            return "\nwhat to do: a class on the worker class path was compiled for a newer Java than the worker's "
                    + System.getProperty("java.home") + "; Tandem and your code need Java "
                    + Runtime.version().feature()
                    + " or older class files";
        }
        if (output.contains("Unrecognized VM option") || output.contains("Unrecognized option")) {
            return "\nwhat to do: the worker JVM rejected an option: check jvmOptions(...)";
        }
        if (output.contains("Error occurred during initialization of boot layer")) {
            return "\nwhat to do: the worker runs on the class path; a jvmOptions(...) module option names a module"
                    + " it cannot find";
        }
        return "";
    }

    private void requireWorkerMain(List<String> skipped) {
        if (findWorkerMain(entries)) {
            return;
        }
        // A jar's manifest Class-Path (java -jar thin.jar with lib/*.jar beside it): the worker's JVM
        // follows it too, so the main class may be there.
        if (findWorkerMain(manifestClassPath(entries))) {
            return;
        }
        close();
        throw new WorkerStartException(
                "cannot start worker JVMs: their main class " + WorkerLaunch.MAIN_CLASS + " is in none of the"
                        + " jars and folders this JVM loaded code from " + entries
                        + (skipped.isEmpty() ? "" : " (class loader URLs that are no files: " + skipped + ")")
                        + ". Depend on dev.tandem:tandem-worker at runtime (tandem-core brings it unless it is"
                        + " excluded), or pass its jar with Tandem.processes(n).classPath(\"/path/to/tandem-worker.jar\")",
                null);
    }

    private static boolean findWorkerMain(List<String> entries) {
        List<String> tandemFirst = new ArrayList<>(); // opening every jar of a big path takes time
        for (String e : entries) {
            if (Path.of(e).getFileName().toString().startsWith("tandem-worker")) {
                tandemFirst.addFirst(e);
            } else {
                tandemFirst.add(e);
            }
        }
        for (String e : tandemFirst) {
            Path p = Path.of(e);
            try {
                if (Files.isDirectory(p) ? Files.isRegularFile(p.resolve(WORKER_MAIN_FILE)) : hasEntry(p)) {
                    return true;
                }
            } catch (IOException ignored) {
                // not a jar: keep looking
            }
        }
        return false;
    }

    /** The entries named by the manifests' {@code Class-Path} of the jars among {@code entries}, transitively. */
    private static List<String> manifestClassPath(List<String> entries) {
        List<String> out = new ArrayList<>();
        ArrayDeque<Path> todo = new ArrayDeque<>();
        Set<Path> seen = new HashSet<>();
        entries.forEach(e -> todo.add(Path.of(e)));
        while (!todo.isEmpty()) {
            Path jar = todo.poll();
            if (!seen.add(jar) || !Files.isRegularFile(jar)) {
                continue;
            }
            try (JarFile j = new JarFile(jar.toFile())) {
                Manifest m = j.getManifest();
                String cp = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
                if (cp == null) {
                    continue;
                }
                for (String rel : cp.trim().split("\\s+")) {
                    Path p = Path.of(jar.toAbsolutePath().getParent().toUri().resolve(rel))
                            .normalize();
                    out.add(p.toString());
                    todo.add(p);
                }
            } catch (IOException | RuntimeException ignored) {
                // not a readable jar, or a Class-Path entry that is no relative URL: the JVM skips it too
            }
        }
        return out;
    }

    private static boolean hasEntry(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            return false;
        }
        try (ZipFile z = new ZipFile(jar.toFile())) {
            return z.getEntry(WORKER_MAIN_FILE) != null;
        }
    }

    // ---------------------------------------------------------------- where code comes from

    private static List<String> split(String path) {
        return path == null || path.isEmpty() ? List.of() : List.of(path.split(File.pathSeparator));
    }

    /** The locations of the boot layer's modules that are not the JDK's. */
    private static List<String> bootLayer() {
        List<String> out = new ArrayList<>();
        for (ResolvedModule m : ModuleLayer.boot().configuration().modules()) {
            ModuleReference ref = m.reference();
            ref.location()
                    .filter(uri -> "file".equals(uri.getScheme()))
                    .ifPresent(uri -> out.add(Path.of(uri).toString()));
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** A module path's jars and exploded modules, its folders opened one level. */
    static List<String> modulePath(String path) {
        List<String> out = new ArrayList<>();
        for (String e : split(path)) {
            Path p = Path.of(e);
            if (!Files.isDirectory(p) || Files.isRegularFile(p.resolve("module-info.class"))) {
                out.add(e); // a jar, or an exploded module
                continue;
            }
            try (Stream<Path> children = Files.list(p)) {
                children.sorted()
                        .filter(c ->
                                c.toString().endsWith(".jar") || Files.isRegularFile(c.resolve("module-info.class")))
                        .forEach(c -> out.add(c.toString()));
            } catch (IOException ignored) {
                // an unreadable folder: the JVM could not have loaded from it either
            }
        }
        return out;
    }

    /** The loaders from the system loader (exclusive) down to {@code leaf}, parent first. */
    private static List<ClassLoader> chain(ClassLoader leaf) {
        List<ClassLoader> out = new ArrayList<>();
        ClassLoader system = ClassLoader.getSystemClassLoader();
        for (ClassLoader l = leaf; l != null && l != system && l != ClassLoader.getPlatformClassLoader(); ) {
            out.addFirst(l);
            l = l.getParent();
        }
        return out;
    }

    /** Whether a loader may define classes that exist in no file: any but URL class loaders, and jshell's. */
    private static boolean definesInMemory(ClassLoader l) {
        return !(l instanceof URLClassLoader) || l.getClass().getName().startsWith("jdk.jshell.");
    }

    private static ClassLoader classLoaderOf(Class<?> c) {
        ClassLoader l = c.getClassLoader();
        return l == null ? ClassLoader.getSystemClassLoader() : l;
    }

    private static ClassLoader contextLoader() {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        return l == null ? ClassLoader.getSystemClassLoader() : l;
    }

    /**
     * {@return the jar or folder a URL of code lies in, as a file path; extracting nested jars; or
     * null when it is in no file}
     */
    static String fileOf(URL url) {
        try {
            String s = url.toString();
            if (s.startsWith("file:")) {
                String path = Path.of(URI.create(s.replace(" ", "%20"))).toString();
                return path;
            }
            if (s.startsWith("jar:")) {
                String inner = s.substring(4);
                int bang = inner.indexOf("!/");
                String outerUrl = bang < 0 ? inner : inner.substring(0, bang);
                String rest = bang < 0 ? "" : inner.substring(bang + 2);
                // Spring Boot 3.2+: jar:nested:/app.jar/!BOOT-INF/lib/x.jar!/ ; older:
                // jar:file:/app.jar!/BOOT-INF/lib/x.jar!/
                if (outerUrl.startsWith("nested:")) {
                    String nested = outerUrl.substring("nested:".length());
                    int sep = nested.indexOf("/!");
                    Path outer = Path.of(
                            URI.create("file:" + nested.substring(0, sep).replace(" ", "%20")));
                    return NestedJars.extract(outer, nested.substring(sep + 2)).toString();
                }
                String outer = fileOf(URI.create(outerUrl).toURL());
                if (outer == null) {
                    return null;
                }
                int next = rest.indexOf("!/");
                String entry = next < 0 ? rest : rest.substring(0, next);
                if (entry.isEmpty() || (next < 0 && entry.endsWith(".class"))) {
                    return outer; // the jar itself, or a class file in it
                }
                if (!entry.endsWith(".jar") && !entry.endsWith("/")) {
                    entry += "/"; // a folder of classes inside the jar
                }
                return NestedJars.extract(Path.of(outer), entry).toString();
            }
            if (s.startsWith("nested:")) {
                String nested = s.substring("nested:".length());
                int sep = nested.indexOf("/!");
                if (sep < 0) {
                    return Path.of(URI.create("file:" + nested.replace(" ", "%20")))
                            .toString();
                }
                Path outer =
                        Path.of(URI.create("file:" + nested.substring(0, sep).replace(" ", "%20")));
                String entry = nested.substring(sep + 2);
                int cls = entry.indexOf(".class");
                if (cls >= 0) { // a class file inside a nested folder: its folder is what counts
                    entry = entry.substring(0, entry.lastIndexOf('/', cls) + 1);
                    String top = entry.startsWith("BOOT-INF/classes/") ? "BOOT-INF/classes/" : entry;
                    entry = top;
                }
                return NestedJars.extract(outer, entry).toString();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * {@return this pool's private folder, created on first use} A {@link PoolFolder}: stamped with
     * this JVM as its owner, deleted when this JVM exits, and swept by a later pool's start if this
     * JVM is killed.
     */
    synchronized Path privateDir() throws IOException {
        if (privateDir == null) {
            privateDir = PoolFolder.create(Path.of(System.getProperty("java.io.tmpdir")));
        }
        return privateDir.path();
    }

    /** Deletes this pool's private folder: the argument file and the copied classes. */
    @Override
    public synchronized void close() {
        if (privateDir == null) {
            return;
        }
        privateDir.delete();
        privateDir = null;
    }
}
