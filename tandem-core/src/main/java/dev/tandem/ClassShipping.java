package dev.tandem;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
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
 * path are left alone; nothing is loaded or initialised to find them.
 *
 * <p><b>Files.</b> The folder belongs to one pool, lives in {@code java.io.tmpdir} (owner-only) and
 * is deleted when the pool terminates. Files are written under a temporary name and moved into
 * place, so a worker never reads half a class. A worker's class loader looks a class up in a folder
 * each time it needs it, so classes copied after the worker started are found.
 *
 * <p>Thread-safe: {@link #ship} is synchronized; it runs once per class (its caller caches).
 */
final class ClassShipping {
    /** The class folder on the workers' class path. */
    final Path dir;

    /** Guarded by this: binary names already copied or found visible. */
    private final Set<String> done = new HashSet<>();

    ClassShipping(Path dir) {
        this.dir = dir;
    }

    /**
     * Copies {@code c} and the classes it needs that workers cannot otherwise load.
     *
     * @param c a class that workers cannot load from their class path
     * @param visible tells whether a class file's URL is one workers can load without a copy
     * @throws IOException if a class's bytes cannot be read (the message names it) or written
     */
    synchronized void ship(Class<?> c, Predicate<URL> visible) throws IOException {
        ClassLoader loader = c.getClassLoader();
        ArrayDeque<String> todo = new ArrayDeque<>();
        todo.add(c.getName().replace('.', '/'));
        while (!todo.isEmpty()) {
            String internal = todo.poll();
            if (!done.add(internal)) {
                continue;
            }
            String resource = internal + ".class";
            URL url = loader.getResource(resource);
            if (url == null && !internal.equals(c.getName().replace('.', '/'))) {
                continue; // a class its loader does not know: the JDK's or a missing optional one
            }
            if (url != null && visible.test(url)) {
                continue;
            }
            byte[] bytes;
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    done.remove(internal);
                    throw new IOException("the bytes of " + internal.replace('/', '.') + " cannot be read from its"
                            + " class loader " + loader);
                }
                bytes = in.readAllBytes();
            }
            write(resource, bytes);
            for (PoolEntry e : ClassFile.of().parse(bytes).constantPool()) {
                if (e instanceof ClassEntry ce) {
                    String name = ce.asInternalName();
                    int array = name.lastIndexOf('[');
                    if (array >= 0) {
                        if (name.charAt(array + 1) != 'L') {
                            continue; // an array of primitives
                        }
                        name = name.substring(array + 2, name.length() - 1);
                    }
                    if (!name.startsWith("java/") && !done.contains(name)) {
                        todo.add(name);
                    }
                }
            }
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
