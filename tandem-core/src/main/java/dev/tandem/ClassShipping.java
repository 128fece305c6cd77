package dev.tandem;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Copies the bytes of classes that exist only in the caller's memory (jshell snippets, programs run
 * by the single-file source launcher, any loader that defines classes without a file on the worker
 * class path) into a class folder that is on every worker's class path, before the task that needs
 * them is sent.
 *
 * <p><b>Closure.</b> Copying one class is not enough: its code refers to other classes of the same
 * program (a nest host and its members, helpers, records it returns). The constant pool of each
 * copied class is read with the JDK's ClassFile API, and every class it names that its loader finds
 * outside the worker class path is copied too, transitively. Classes of the JDK and of the class
 * path are left alone. A class its loader has no bytes for yet is loaded (not initialised) once, by
 * name: the source launcher of several files (JEP 458) compiles a file only when one of its classes
 * is first loaded, so {@code Other} of {@code Other.java} has no bytes until then.
 *
 * <p><b>Changed definitions.</b> A worker loads a class once, so a class whose bytes changed after
 * they were copied (jshell keeps a snippet's class name when a method is redefined, and redefines
 * the class in place) would run its old body in workers that loaded it. Every {@link #ship} reads
 * the closure again and compares each copied class's SHA-256 with the one copied: a change is
 * refused ({@link Refused}), saying to start a new pool, whose workers load the new bytes.
 *
 * <p><b>jshell's variables</b> are static fields of its wrapper classes, set by the snippet, not by
 * the class: {@link JShellVariables} copies their values with the class.
 *
 * <p><b>Files.</b> The folder belongs to one pool, lives in its private folder and is deleted when
 * the pool terminates. Files are written under a temporary name and moved into place, so a worker
 * never reads half a class. A worker's class loader looks a class up in a folder each time it needs
 * it, so classes copied after the worker started are found.
 *
 * <p>Thread-safe: {@link #ship} is synchronized.
 */
final class ClassShipping {
    /** The class folder on the workers' class path. */
    final Path dir;

    /** Guarded by this: binary names (internal form) that workers load from their class path. */
    private final Set<String> elsewhere = new HashSet<>();
    /** Guarded by this: the SHA-256 of each class copied, by internal name. */
    private final Map<String, byte[]> digests = new HashMap<>();
    /** Guarded by this. */
    private final JShellVariables variables = new JShellVariables();

    ClassShipping(Path dir) {
        this.dir = dir;
    }

    /** A class's copy would make workers run something other than what the caller would. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /**
     * Copies {@code c} and the classes it needs that workers cannot otherwise load, and checks that
     * those copied before are unchanged.
     *
     * @param c a class that workers cannot load from their class path
     * @param visible tells whether a class file's URL is one workers can load without a copy
     * @throws IOException if a class's bytes cannot be read (the message names it) or written
     * @throws Refused if a class copied before has changed, or a jshell variable a task reads cannot
     *     be copied or has changed (the message says what to do)
     */
    synchronized void ship(Class<?> c, Predicate<URL> visible) throws IOException, Refused {
        ClassLoader loader = c.getClassLoader();
        String root = c.getName().replace('.', '/');
        Map<String, byte[]> closure = new LinkedHashMap<>();
        variables.begin();
        ArrayDeque<String> todo = new ArrayDeque<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            String internal = todo.poll();
            if (elsewhere.contains(internal) || closure.containsKey(internal)) {
                continue;
            }
            String resource = internal + ".class";
            URL url = loader.getResource(resource);
            if (url == null && !internal.equals(root)) {
                url = compiledOnDemand(internal, loader, resource);
                if (url == null) {
                    continue; // a class its loader does not know: a missing optional one
                }
            }
            if (url != null && visible.test(url)) {
                elsewhere.add(internal);
                continue;
            }
            byte[] bytes;
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("the bytes of " + internal.replace('/', '.') + " cannot be read from its"
                            + " class loader " + loader);
                }
                bytes = in.readAllBytes();
            }
            closure.put(internal, bytes);
            ClassModel model = ClassFile.of().parse(bytes);
            for (PoolEntry e : model.constantPool()) {
                if (e instanceof ClassEntry ce) {
                    String name = ce.asInternalName();
                    int array = name.lastIndexOf('[');
                    if (array >= 0) {
                        if (name.charAt(array + 1) != 'L') {
                            continue; // an array of primitives
                        }
                        name = name.substring(array + 2, name.length() - 1);
                    }
                    if (!name.startsWith("java/")) {
                        todo.add(name);
                    }
                }
            }
            variables.read(internal, model, loader, todo::add);
        }
        for (Map.Entry<String, byte[]> e : closure.entrySet()) {
            byte[] before = digests.get(e.getKey());
            if (before != null && !Arrays.equals(before, sha256(e.getValue()))) {
                throw new Refused(e.getKey().replace('/', '.') + JShellVariables.defines(e.getValue())
                        + " has changed since this pool's workers got its"
                        + " bytes (a redefined jshell method, class or variable), and a worker loads a class only once, so"
                        + " its workers would run the old definition. Start a new pool for the new definition");
            }
        }
        variables.check(root, closure);
        for (Map.Entry<String, byte[]> e : closure.entrySet()) {
            String internal = e.getKey();
            if (digests.containsKey(internal)) {
                continue;
            }
            byte[] statics = variables.statics(internal);
            if (statics != null) {
                write(internal + JShellVariables.SUFFIX, statics);
                write(internal + ".class", JShellVariables.restoring(e.getValue()));
            } else {
                write(internal + ".class", e.getValue());
            }
            digests.put(internal, sha256(e.getValue()));
        }
    }

    /** {@return the URL of a class its loader compiles when the class is loaded (JEP 458), or null} */
    private static URL compiledOnDemand(String internal, ClassLoader loader, String resource) {
        try {
            Class.forName(internal.replace('/', '.'), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        return loader.getResource(resource);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private void write(String resource, byte[] bytes) throws IOException {
        Path target = dir.resolve(resource);
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(dir, "class-", ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
