package dev.tandem.advisor;

import dev.tandem.Task;
import dev.tandem.TaskFunction;
import java.io.File;
import java.io.IOException;
import java.io.Serial;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * The user's class: located and checked without running any of its code ({@link #locate}), then
 * instantiated into a function and inputs ({@link #instantiate}) only once the child-JVM probe has
 * shown that doing so in this JVM is safe. The same code instantiates it inside the probe JVM.
 *
 * <p>Not thread-safe; one per run.
 */
final class Subject {
    private final String className;
    private final List<Path> classPath;
    private final Class<?> type;
    private final boolean task;

    private Subject(String className, List<Path> classPath, Class<?> type) {
        this.className = className;
        this.classPath = List.copyOf(classPath);
        this.type = type;
        this.task = Task.class.isAssignableFrom(type);
    }

    /** Finds and checks the class without initializing it; errors say what to fix. */
    static Subject locate(String className, List<Path> given) {
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("no task class given; pass --task com.acme.MyTask");
        }
        Objects.requireNonNull(given, "classPath");
        List<Path> classPath = expand(given);
        List<URL> urls = new ArrayList<>();
        for (Path p : classPath) {
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("--classpath entry " + p + " does not exist; "
                        + "give directories of .class files or jars, separated by '" + File.pathSeparator + "'");
            }
            if (Files.isRegularFile(p) && !isJar(p)) {
                throw new IllegalArgumentException("--classpath entry " + p + " is neither a directory nor a jar;"
                        + " give directories of .class files or jars, separated by '" + File.pathSeparator + "'");
            }
            try {
                urls.add(p.toAbsolutePath().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(
                        "--classpath entry " + p + " is not a valid path: " + e.getMessage(), e);
            }
        }
        ClassLoader parent = Subject.class.getClassLoader();
        @SuppressWarnings("resource") // lives as long as the run; classes loaded from it stay in use
        ClassLoader loader =
                urls.isEmpty() ? parent : new URLClassLoader("tandem-advise-task", urls.toArray(URL[]::new), parent);
        Class<?> type;
        try {
            type = Class.forName(className.strip(), false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(
                    "class " + className + " not found on the class path " + describe(given, classPath)
                            + "; give its binary name (com.acme.Work, or com.acme.Outer$Inner for a nested class)"
                            + " and put the directory or jar holding it on --classpath",
                    e);
        } catch (LinkageError e) {
            throw new IllegalArgumentException(
                    "class " + className + " cannot be loaded: " + e + "; add what it depends on to --classpath", e);
        }
        return check(new Subject(className.strip(), classPath, type));
    }

    /**
     * {@return the class path searched, for the message of a class not found} A {@code DIR/*} that matched no
     * jar is named as typed: {@code --classpath 'out/*'} was reported as "no --classpath given".
     */
    private static String describe(List<Path> given, List<Path> expanded) {
        List<String> empty = new ArrayList<>();
        for (Path p : given) {
            if (isWildcard(p) && expandOne(p).isEmpty()) {
                empty.add("'" + p + "' matched no jar in " + dirOf(p));
            }
        }
        String matchedNothing = empty.isEmpty() ? "" : " (" + String.join(", ", empty) + ")";
        if (expanded.isEmpty()) {
            return given.isEmpty()
                    ? "(empty: no --classpath given, or an empty one)"
                    : "(empty" + matchedNothing.replace(" (", ": ");
        }
        return expanded + matchedNothing;
    }

    /** A class this JVM already loads. */
    static Subject of(Class<?> type) {
        Objects.requireNonNull(type, "taskOrWorkload");
        List<Path> where = new ArrayList<>();
        codeSource(type).ifPresent(where::add);
        return check(new Subject(type.getName(), where, type));
    }

    private static Subject check(Subject s) {
        Class<?> type = s.type;
        String name = type.getName();
        if (!Task.class.isAssignableFrom(type) && !Workload.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(name + " is neither a dev.tandem.Task nor a dev.tandem.advisor.Workload;"
                    + " implement Task<R> (its call() runs once per input) or Workload<T, R> (inputs(n) and"
                    + " function()), with a public no-argument constructor");
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(name + " is abstract; name a concrete class");
        }
        if (!Modifier.isPublic(type.getModifiers())
                || (type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers()))) {
            throw new IllegalArgumentException(name + " must be a public top-level or public static nested class");
        }
        try {
            Constructor<?> c = type.getConstructor();
            Objects.requireNonNull(c);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(name + " needs a public no-argument constructor", e);
        }
        return s;
    }

    String className() {
        return className;
    }

    /**
     * {@return the task's result type as Java code for the example: {@code Long} for a {@code Task<Long>},
     * {@code Digest} for a {@code Workload<Integer, Digest>}, {@code Void} for one that returns nothing; {@code R}
     * when the class does not name it}
     */
    String resultType() {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p
                        && (p.getRawType() == Task.class || p.getRawType() == Workload.class)) {
                    Type[] args = p.getActualTypeArguments();
                    Type r = args[args.length - 1];
                    if (r instanceof Class<?> k) {
                        return k.getSimpleName();
                    }
                    if (r instanceof ParameterizedType pr && pr.getRawType() instanceof Class<?> k) {
                        return k.getSimpleName() + "<...>";
                    }
                }
            }
        }
        return "R";
    }

    boolean isTask() {
        return task;
    }

    ClassLoader loader() {
        return type.getClassLoader();
    }

    /**
     * {@return the entries with each {@code DIR/*} replaced by the jars in DIR, in name order, as the
     * {@code java} launcher reads a class path}
     */
    private static List<Path> expand(List<Path> entries) {
        List<Path> out = new ArrayList<>();
        for (Path p : entries) {
            if (isWildcard(p)) {
                out.addAll(expandOne(p));
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static boolean isWildcard(Path p) {
        return p.getFileName() != null && p.getFileName().toString().equals("*");
    }

    private static Path dirOf(Path wildcard) {
        return wildcard.getParent() == null ? Path.of(".") : wildcard.getParent();
    }

    /** {@return the jars of one {@code DIR/*}, in name order} */
    private static List<Path> expandOne(Path p) {
        Path dir = dirOf(p);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--classpath entry " + p + ": " + dir + " is not a directory");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("--classpath entry " + p + ": cannot list " + dir + " (" + e + ")", e);
        }
    }

    /** {@return true if {@code file} is a readable jar (a zip)} */
    private static boolean isJar(Path file) {
        try (ZipFile z = new ZipFile(file.toFile())) {
            return z.size() >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@return the user's extra class path entries, for worker JVMs} */
    List<String> extraClassPath() {
        return classPath.stream().map(p -> p.toAbsolutePath().toString()).toList();
    }

    /** {@return the class path of a child JVM that can run the probe and load this class} */
    String childClassPath() {
        Set<String> entries = new LinkedHashSet<>();
        String own = System.getProperty("java.class.path", "");
        for (String e : own.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(e);
            }
        }
        codeSource(Subject.class).ifPresent(p -> entries.add(p.toString()));
        codeSource(Task.class).ifPresent(p -> entries.add(p.toString()));
        entries.addAll(extraClassPath());
        return String.join(File.pathSeparator, entries);
    }

    private static Optional<Path> codeSource(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(cs.getLocation().toURI()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Runs the user's constructor (and {@code inputs}); this executes user code in this JVM. */
    Instance instantiate(int count) {
        Object o;
        try {
            o = type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(
                    "constructing " + className + " failed: " + e.getCause() + "; fix its constructor", e.getCause());
        } catch (ExceptionInInitializerError e) {
            // the static initializer threw: its exception, with its message, is what the user must fix
            throw new IllegalArgumentException(
                    "initializing " + className + " failed: " + e.getCause() + "; fix its static initializer", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("constructing " + className + " failed: " + e, e);
        }
        if (o instanceof Task<?> t) {
            List<Object> indices = IntStream.range(0, Math.min(count, 1_000_000))
                    .boxed()
                    .map(i -> (Object) i)
                    .toList();
            return new Instance(new TaskAsFunction(t), indices);
        }
        @SuppressWarnings("unchecked")
        Workload<Object, Object> w = (Workload<Object, Object>) o;
        List<Object> inputs;
        TaskFunction<Object, Object> fn;
        try {
            inputs = w.inputs(count);
            fn = w.function();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    className + ".inputs(" + count + ") or function() threw " + e + "; fix the workload", e);
        }
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(
                    className + ".inputs(" + count + ") returned no inputs; return at least one");
        }
        if (fn == null) {
            throw new IllegalArgumentException(className + ".function() returned null; return the function to measure");
        }
        return new Instance(fn, List.copyOf(inputs.size() > count ? inputs.subList(0, count) : inputs));
    }

    /** The function and inputs of one run. */
    record Instance(TaskFunction<Object, Object> fn, List<Object> inputs) {}

    /** Runs a {@link Task} as a function of its input index, which it ignores. */
    record TaskAsFunction(Task<?> task) implements TaskFunction<Object, Object> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Object apply(Object ignored) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }
    }

    /** {@return the exception a call threw, unwrapped from the advisor's and the pool's wrappers} */
    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException
                        || c instanceof ExecutionException
                        || c instanceof dev.tandem.TaskExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** {@return the throwable as one line with its top frames} */
    static String describe(Throwable t) {
        StringBuilder b = new StringBuilder(String.valueOf(t));
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(3, st.length); i++) {
            b.append(i == 0 ? " at " : " < ").append(st[i]);
        }
        return b.toString().replace('\n', ' ').replace('\r', ' ');
    }
}
