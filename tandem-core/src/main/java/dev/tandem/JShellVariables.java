package dev.tandem;

import static java.lang.constant.ConstantDescs.CD_Class;
import static java.lang.constant.ConstantDescs.CD_void;

import dev.tandem.protocol.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The values of jshell's top-level variables, copied to workers with the classes that hold them.
 *
 * <p>jshell compiles each snippet into a wrapper class {@code REPL.$JShell$N}; a top-level variable
 * ({@code int k = 10;}) is a static field of its wrapper, set when the snippet runs, not by the
 * class's initialiser. A worker that loads the copied class would see {@code 0} or {@code null}. So
 * when {@link ClassShipping} copies a wrapper, it writes the current value of each of its variables
 * that is {@link java.io.Serializable} to {@code REPL/$JShell$N.statics} ({@code MessageCodec.JShellStatics}), and adds to the wrapper's
 * static initialiser a call to the worker's {@code dev.tandem.worker.ShippedVariables.restore},
 * which sets them before any task can read them.
 *
 * <p><b>By value, once.</b> A worker gets the values as they were when the wrapper was first copied
 * for a task, and a change a task makes in a worker does not come back to jshell. A variable that a
 * task reads (a {@code getstatic} of it in a method the task may run, see {@link #findReads}) is checked at every submit of a jshell task: if its value has changed since it
 * was copied, or cannot be copied at all (a {@code TaskPool}, a thread), the submit is refused,
 * naming the variable and what to do. Variables no task reads (the pool itself, read by the
 * snippet that submits) are left {@code null} in workers.
 *
 * <p>Not thread-safe: used under the lock of its {@link ClassShipping}.
 */
final class JShellVariables {
    /** The file next to a wrapper's class file that holds its variables' values. */
    static final String SUFFIX = ".statics";

    /** The worker's class that sets a wrapper's variables (in tandem-worker, on every worker's path). */
    static final ClassDesc RESTORER = ClassDesc.of("dev.tandem.worker.ShippedVariables");

    private static final Pattern WRAPPER = Pattern.compile("REPL/\\$JShell\\$\\d+");
    private static final String SNIPPET_BODY = "do_it$";

    /** Per wrapper copied: variable → its serialized value when copied, or null if it had none. */
    private final Map<String, Map<String, byte[]>> shipped = new HashMap<>();
    /** This ship: wrappers met, by internal name. */
    private final Map<String, Class<?>> wrappers = new HashMap<>();
    /** This ship: per wrapper not yet copied, variable → serialized value, or null if it has none. */
    private final Map<String, Map<String, byte[]>> pending = new HashMap<>();
    /** This ship: why a variable's value cannot be copied, by "wrapper variable". */
    private final Map<String, String> problems = new HashMap<>();
    /** This ship: "wrapper variable" read by a task's code. */
    private final Set<String> read = new LinkedHashSet<>();
    /** This ship: the closure's classes, by internal name. */
    private final Map<String, ClassModel> models = new LinkedHashMap<>();

    /** Forgets what the last ship met. */
    void begin() {
        wrappers.clear();
        pending.clear();
        problems.clear();
        read.clear();
        models.clear();
    }

    /**
     * Finds the variables that code a task may run reads. The methods a task may run: those of its
     * own class (root) but a snippet's {@code do_it$}, which only jshell runs; every method of a class
     * that is not a wrapper (its objects' methods may be called by anyone); static initialisers; and
     * transitively, every method of the closure with the name and descriptor of one they invoke or
     * hand to {@code invokedynamic} (a lambda's body). Matching by name and descriptor, not by owner,
     * keeps virtual calls in; it may count a variable that a task cannot reach, never miss one.
     */
    private void findReads(String root) {
        Map<String, List<MethodModel>> byKey = new HashMap<>();
        ArrayDeque<MethodModel> todo = new ArrayDeque<>();
        for (Map.Entry<String, ClassModel> c : models.entrySet()) {
            boolean wrapper = WRAPPER.matcher(c.getKey()).matches();
            for (MethodModel m : c.getValue().methods()) {
                String name = m.methodName().stringValue();
                byKey.computeIfAbsent(name + m.methodType().stringValue(), k -> new ArrayList<>())
                        .add(m);
                if (name.equals("<clinit>") || !wrapper || (c.getKey().equals(root) && !name.equals(SNIPPET_BODY))) {
                    todo.add(m);
                }
            }
        }
        Set<MethodModel> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!todo.isEmpty()) {
            MethodModel m = todo.poll();
            if (!seen.add(m) || m.code().isEmpty()) {
                continue;
            }
            for (CodeElement e : m.code().get()) {
                if (e instanceof FieldInstruction f
                        && f.opcode() == Opcode.GETSTATIC
                        && WRAPPER.matcher(f.owner().asInternalName()).matches()) {
                    read.add(f.owner().asInternalName() + " " + f.name().stringValue());
                } else if (e instanceof InvokeInstruction i) {
                    todo.addAll(
                            byKey.getOrDefault(i.name().stringValue() + i.type().stringValue(), List.of()));
                } else if (e instanceof InvokeDynamicInstruction d) {
                    for (ConstantDesc arg : d.bootstrapArgs()) {
                        if (arg instanceof DirectMethodHandleDesc h) {
                            todo.addAll(byKey.getOrDefault(h.methodName() + h.lookupDescriptor(), List.of()));
                        }
                    }
                }
            }
        }
    }

    /**
     * Notes what a class of a task's closure reads, and if it is a wrapper not copied yet, the
     * values of its variables.
     *
     * @param more takes the classes of those values that its loader defines, to copy them too
     */
    void read(String internal, ClassModel model, ClassLoader loader, Consumer<String> more) {
        models.put(internal, model);
        if (!WRAPPER.matcher(internal).matches()) {
            return;
        }
        Class<?> wrapper;
        try {
            wrapper = Class.forName(internal.replace('/', '.'), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return;
        }
        wrappers.put(internal, wrapper);
        if (shipped.containsKey(internal)) {
            return;
        }
        Map<String, byte[]> values = new LinkedHashMap<>();
        for (Field f : variables(wrapper)) {
            try {
                values.put(f.getName(), serialize(f.get(null), loader, more));
            } catch (IOException | ReflectiveOperationException | RuntimeException e) {
                values.put(f.getName(), null);
                problems.put(internal + " " + f.getName(), e.toString());
            }
        }
        pending.put(internal, values);
    }

    /**
     * Checks the variables a task reads: copyable, and unchanged since copied.
     *
     * @throws ClassShipping.Refused naming the variable and what to do
     */
    void check(String root, Map<String, byte[]> closure) throws ClassShipping.Refused {
        findReads(root);
        for (String key : read) {
            String wrapper = key.substring(0, key.indexOf(' '));
            String name = key.substring(key.indexOf(' ') + 1);
            Map<String, byte[]> then = shipped.get(wrapper);
            if (then == null) {
                Map<String, byte[]> now = pending.get(wrapper);
                if (now != null && now.containsKey(name) && now.get(name) == null) {
                    throw new ClassShipping.Refused("a task reads the jshell variable " + name + ", whose value cannot"
                            + " be copied to a worker JVM (" + problems.get(key) + "). Make its class Serializable,"
                            + " or build what the task needs inside it, or in a block or method whose locals the"
                            + " task captures by value: { var v = ...; pool.submit(() -> use(v)); }");
                }
                continue;
            }
            if (!then.containsKey(name) || !closure.containsKey(wrapper)) {
                continue; // not a variable (a constant), or not copied by this pool
            }
            byte[] was = then.get(name);
            byte[] is;
            try {
                Field f = wrappers.get(wrapper).getDeclaredField(name);
                f.setAccessible(true);
                is = serialize(f.get(null), wrappers.get(wrapper).getClassLoader(), c -> {});
            } catch (IOException | ReflectiveOperationException | RuntimeException e) {
                is = null;
            }
            if (was == null || !Arrays.equals(was, is)) {
                throw new ClassShipping.Refused("the jshell variable " + name + " has "
                        + (was == null
                                ? "no value that could be copied"
                                : "changed since this pool's workers got its value")
                        + ": a worker gets a jshell variable's value once, when the first task that reads it is"
                        + " sent, by value (a change a task makes in a worker does not come back). Start a new pool,"
                        + " or give the task the value in a local of a block or method, which it captures by"
                        + " value: { int k2 = k; pool.submit(() -> k2 * 2).get(); }");
            }
        }
    }

    /** {@return the statics file of a wrapper about to be copied (and records it as copied), or null} */
    byte[] statics(String internal) throws IOException {
        Map<String, byte[]> values = pending.remove(internal);
        if (values == null) {
            return null;
        }
        shipped.put(internal, values);
        Map<String, byte[]> copied = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            if (value != null) {
                copied.put(name, value);
            }
        });
        return new MessageCodec.JShellStatics(copied).encode();
    }

    /** {@return " (which defines f, g)" for a jshell wrapper's class file, naming its snippet's members, or ""} */
    static String defines(byte[] classFile) {
        ClassModel model = ClassFile.of().parse(classFile);
        if (!WRAPPER.matcher(model.thisClass().asInternalName()).matches()) {
            return "";
        }
        Set<String> names = new LinkedHashSet<>();
        for (MethodModel m : model.methods()) {
            String name = m.methodName().stringValue();
            if (!name.equals(SNIPPET_BODY) && !name.startsWith("<") && !name.startsWith("lambda$")) {
                names.add(name);
            }
        }
        model.fields().forEach(f -> names.add(f.fieldName().stringValue()));
        return names.isEmpty() ? "" : " (the jshell snippet that defines " + String.join(", ", names) + ")";
    }

    /** {@return a wrapper's class file whose static initialiser first restores its variables} */
    static byte[] restoring(byte[] classFile) {
        ClassFile cf = ClassFile.of();
        ClassModel model = cf.parse(classFile);
        ClassDesc self = model.thisClass().asSymbol();
        Consumer<CodeBuilder> restore =
                cb -> cb.ldc(self).invokestatic(RESTORER, "restore", MethodTypeDesc.of(CD_void, CD_Class));
        boolean hasInitialiser =
                model.methods().stream().anyMatch(m -> m.methodName().equalsString("<clinit>"));
        ClassTransform transform;
        if (hasInitialiser) {
            transform = ClassTransform.transformingMethodBodies(
                    m -> m.methodName().equalsString("<clinit>"), new CodeTransform() {
                        @Override
                        public void accept(CodeBuilder builder, CodeElement element) {
                            builder.with(element);
                        }

                        @Override
                        public void atStart(CodeBuilder builder) {
                            restore.accept(builder);
                        }
                    });
        } else {
            transform = ClassTransform.endHandler(
                    cb -> cb.withMethodBody("<clinit>", MethodTypeDesc.of(CD_void), ClassFile.ACC_STATIC, code -> {
                        restore.accept(code);
                        code.return_();
                    }));
        }
        return cf.transformClass(model, transform);
    }

    private static List<Field> variables(Class<?> wrapper) {
        List<Field> variables = new ArrayList<>();
        for (Field f : wrapper.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && !Modifier.isFinal(m) && !f.isSynthetic()) {
                f.setAccessible(true);
                variables.add(f);
            }
        }
        return variables;
    }

    private static byte[] serialize(Object value, ClassLoader loader, Consumer<String> more) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes) {
            @Override
            protected void annotateClass(Class<?> c) {
                if (c.getClassLoader() == loader) {
                    more.accept(c.getName().replace('.', '/'));
                }
            }
        }) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }
}
