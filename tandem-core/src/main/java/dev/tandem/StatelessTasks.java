package dev.tandem;

import java.io.Externalizable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * Knows which task classes carry no state, so that every instance serializes to the same bytes: a
 * non-capturing lambda, or a class without instance fields and without custom serialization. The
 * caller then encodes such a class once, and the worker decodes those bytes once and reuses the task.
 * Thread-safe.
 */
final class StatelessTasks {
    private static final ClassValue<Boolean> STATELESS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return isStateless(type);
        }
    };

    private StatelessTasks() {}

    static boolean isStateless(Object task) {
        return STATELESS.get(task.getClass());
    }

    private static boolean isStateless(Class<?> type) {
        if (Externalizable.class.isAssignableFrom(type)) {
            return false;
        }
        boolean lambda = type.isHidden() && type.getName().contains("$$Lambda");
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    return false;
                }
            }
            if (!lambda
                    && (declares(c, "writeObject", java.io.ObjectOutputStream.class) || declares(c, "writeReplace"))) {
                return false;
            }
        }
        return true;
    }

    private static boolean declares(Class<?> c, String name, Class<?>... parameters) {
        try {
            c.getDeclaredMethod(name, parameters);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
