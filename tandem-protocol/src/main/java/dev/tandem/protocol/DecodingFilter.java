package dev.tandem.protocol;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The caller's guard against what comes back from a worker: a worker (or code running in it) must
 * not be able to make the caller instantiate arbitrary classes, nor exhaust its memory or stack.
 *
 * <p>A class passes if it is not on the deny list and either matches an allow pattern (the JDK's
 * {@code java.*}, {@code java.util.**} style: {@code pkg.*} for one package, {@code pkg.**} with
 * sub-packages, or an exact class name) or lives in a package that this caller itself serialized
 * to a worker (the packages of submitted tasks and of what they captured are <em>learned</em>).
 * Depth, references, array length and stream size are limited. Everything else is rejected.
 *
 * <p>Thread-safe: patterns are fixed at construction and learned packages live in a concurrent set.
 */
public final class DecodingFilter implements ObjectInputFilter {
    /** Always allowed: the JDK's value types and collections, and Tandem's own protocol types. */
    public static final List<String> DEFAULT_ALLOW = List.of(
            "java.lang.*",
            "java.lang.invoke.SerializedLambda",
            "java.util.**",
            "java.time.**",
            "java.math.*",
            "java.net.URI",
            "java.net.URL",
            "java.io.*",
            "java.nio.**",
            "java.text.*",
            "dev.tandem.*",
            "dev.tandem.protocol.BulkRef",
            "dev.tandem.protocol.BufferValue",
            "dev.tandem.protocol.SharedRef",
            "dev.tandem.ipc.SegmentHandle",
            "dev.tandem.ipc.SharedByteArray",
            "dev.tandem.ipc.SharedLongArray",
            "dev.tandem.ipc.SharedDoubleArray");
    /** Never allowed, even if learned or allowed by a pattern: classic gadget-chain packages. */
    public static final List<String> DENY = List.of(
            "java.rmi.**",
            "sun.rmi.**",
            "javax.management.**",
            "com.sun.**",
            "sun.**",
            "jdk.**",
            "javax.naming.**",
            "java.beans.**",
            "org.apache.commons.collections.functors.*",
            "org.apache.commons.collections4.functors.*",
            "org.codehaus.groovy.runtime.*",
            "org.springframework.beans.factory.**",
            "com.mchange.**",
            "org.apache.xalan.**",
            "java.util.concurrent.locks.**",
            "java.lang.reflect.**",
            "java.lang.ProcessBuilder",
            "java.lang.Runtime",
            "java.lang.Thread",
            "java.lang.ClassLoader");

    private final List<String> allow;
    private final Set<String> learnedPackages = ConcurrentHashMap.newKeySet();
    /** Classes already allowed; decisions only ever go from refused to allowed, so they stay true. */
    private final Set<Class<?>> allowedClasses = ConcurrentHashMap.newKeySet();

    private final long maxDepth;
    private final long maxReferences;
    private final long maxArrayLength;
    private final long maxBytes;

    /**
     * @param extraAllow patterns allowed beyond {@link #DEFAULT_ALLOW}
     * @param maxDepth deepest object graph
     * @param maxReferences most objects and references in one stream
     * @param maxArrayLength longest array
     * @param maxBytes longest stream
     */
    public DecodingFilter(
            List<String> extraAllow, long maxDepth, long maxReferences, long maxArrayLength, long maxBytes) {
        this.allow = new ArrayList<>(DEFAULT_ALLOW);
        this.allow.addAll(extraAllow);
        this.maxDepth = maxDepth;
        this.maxReferences = maxReferences;
        this.maxArrayLength = maxArrayLength;
        this.maxBytes = maxBytes;
    }

    /**
     * Allows the package of {@code type} (and of an array's element type) from now on. Called for
     * every class that this caller serializes to a worker, since those are the caller's own.
     *
     * @param type a class the caller sent to a worker
     */
    public void learn(Class<?> type) {
        Class<?> c = type;
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (!c.isPrimitive() && !matchesAny(c.getName(), DENY)) {
            learnedPackages.add(c.getPackageName());
        }
    }

    /**
     * This filter, plus a bound that needs the stream's length: an array may not be longer than the
     * bytes left could fill, since Java serialization allocates an array (or a collection's backing
     * table) at its declared length before it reads a single element.
     *
     * @param streamLength the length of the serialized stream about to be read
     * @return the filter for that stream
     */
    public ObjectInputFilter forStream(long streamLength) {
        return info -> {
            if (info.arrayLength() > 0) {
                long minBytes = info.arrayLength() * minBytesPerElement(info.serialClass());
                if (minBytes > streamLength - info.streamBytes()) {
                    return Status.REJECTED;
                }
            }
            return checkInput(info);
        };
    }

    private static long minBytesPerElement(Class<?> arrayClass) {
        Class<?> c = arrayClass == null ? null : arrayClass.getComponentType();
        if (c == null || !c.isPrimitive()) {
            return 1; // a reference element takes at least one byte (TC_NULL)
        }
        if (c == long.class || c == double.class) {
            return 8;
        }
        if (c == int.class || c == float.class) {
            return 4;
        }
        return c == short.class || c == char.class ? 2 : 1;
    }

    @Override
    public Status checkInput(FilterInfo info) {
        if (info.depth() > maxDepth
                || info.references() > maxReferences
                || info.streamBytes() > maxBytes
                || (info.arrayLength() >= 0 && info.arrayLength() > maxArrayLength)) {
            return Status.REJECTED;
        }
        Class<?> c = info.serialClass();
        if (c == null) {
            return Status.UNDECIDED;
        }
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (c.isPrimitive()) {
            return Status.ALLOWED;
        }
        return allows(c) ? Status.ALLOWED : Status.REJECTED;
    }

    /**
     * {@return whether a class passes the class part of this filter}
     *
     * @param c a non-array class
     */
    public boolean allows(Class<?> c) {
        if (allowedClasses.contains(c)) {
            return true;
        }
        boolean allowed = decide(c);
        if (allowed) {
            allowedClasses.add(c);
        }
        return allowed;
    }

    private boolean decide(Class<?> c) {
        String name = c.getName();
        if (matchesAny(name, DENY)) {
            return false;
        }
        if (learnedPackages.contains(c.getPackageName())) {
            return true;
        }
        if (Throwable.class.isAssignableFrom(c) && c.getName().startsWith("java.")) {
            return true;
        }
        return matchesAny(name, allow);
    }

    /** {@return a short description of the limits, for error messages} */
    public String limits() {
        return "maxdepth=" + maxDepth + ", maxrefs=" + maxReferences + ", maxarray=" + maxArrayLength + ", maxbytes="
                + maxBytes;
    }

    static boolean matchesAny(String className, List<String> patterns) {
        for (String p : patterns) {
            if (matches(className, p)) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(String className, String pattern) {
        if (pattern.endsWith(".**")) {
            return className.startsWith(pattern.substring(0, pattern.length() - 2));
        }
        if (pattern.endsWith(".*")) {
            String pkg = pattern.substring(0, pattern.length() - 1);
            return className.startsWith(pkg) && className.indexOf('.', pkg.length()) < 0;
        }
        return className.equals(pattern);
    }
}
