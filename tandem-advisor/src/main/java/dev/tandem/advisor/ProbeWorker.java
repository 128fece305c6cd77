package dev.tandem.advisor;

import dev.tandem.measure.ProcFs;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The main class of the probe JVM: calls the user's task one call at a time and writes what it saw
 * to a file, one line per fact, flushed as it goes, so that the parent ({@link ChildProbe}) still
 * learns how far it got when the task ends this JVM. The file, not stdout, is the channel: stdout
 * and stderr belong to the task.
 *
 * <pre>
 * start NANOTIME              main entered (System.nanoTime, comparable with the parent's on Linux)
 * error TEXT                  the class cannot be used; exit code 2
 * ser task|result BYTES       serialized size of function + one input, or of one result
 * ser-error task|result TEXT  why it cannot be serialized
 * call I ok|fail WALL CPU ALLOC RUNQ   one call (first 256 only); RUNQ: time runnable but not running
 * progress CALLS FAILED       calls made and how many threw so far, after the first 256, at most every 100 ms:
 *                             the parent sees the probe advance (the file grows), so a slow probe on a busy
 *                             machine is no hang, and counts the calls of a probe that never writes its summary
 * failure TEXT                the first exception a call threw
 * heap base|end USED CALLS    heap used after a full GC, and calls made so far
 * deterministic true|false|unknown
 * summary CALLS FAILED WALLSUM CPUSUM ALLOCSUM MAXWALL RUNQSUM
 * native PATH                 a native library outside the JDK that appeared during the run
 * hook CALL                   shutdown began before "done", during call CALL (-1: outside a call)
 * done
 * </pre>
 */
final class ProbeWorker {
    static final int DETAILED_CALLS = 256;
    /** The least time between two "progress" lines. */
    static final long PROGRESS_NANOS = 100_000_000L;

    private static final int MAX_CALLS = 100_000;
    private static final Pattern SYSTEM_LIBS = Pattern.compile(
            ".*/(libnss_|libresolv|libgcc_s|libc\\.|libc-|libm\\.|libm-|libdl|libpthread|librt|ld-linux|libz\\.|libstdc\\+\\+|libselinux|libcrypt|libkeyutils|libgssapi|libkrb5|libcom_err|libk5crypto).*");

    private static volatile int currentCall = -1;
    private static volatile boolean finished;

    private ProbeWorker() {}

    public static void main(String[] args) {
        long started = System.nanoTime();
        Lines out = new Lines(Path.of(args[0]));
        out.put("start " + started);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (!finished) {
                                out.put("hook " + currentCall);
                            }
                            // what the task started would pass to init when this JVM ends, out of the advisor's
                            // reach (ext.Spawner's probe left 8 sleeps): the trials count such children
                            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
                        },
                        "tandem-probe-hook"));
        Set<String> libsBefore = nativeLibraries();
        int status = 0;
        try {
            run(out, args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), libsBefore);
        } catch (IllegalArgumentException e) {
            out.put("error " + oneLine(e.getMessage()));
            status = 2;
        }
        finished = true;
        out.put("done");
        System.exit(status);
    }

    private static void run(Lines out, String className, int count, long probeNanos, Set<String> libsBefore) {
        Subject subject = Subject.locate(className, List.of());
        Subject.Instance inst = subject.instantiate(count);
        List<Object> inputs = inst.inputs();
        out.put(serialized("task", inst.fn(), inputs.getFirst()));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // CHECKSTYLE.OFF: inlineQualifiedName (two ThreadMXBeans: java.lang.management's and this one)
        com.sun.management.ThreadMXBean allocs = threads instanceof com.sun.management.ThreadMXBean t ? t : null;
        // CHECKSTYLE.ON: inlineQualifiedName
        long deadline = System.nanoTime() + probeNanos;
        long wallSum = 0;
        long cpuSum = 0;
        long allocSum = 0;
        long runqSum = 0;
        long maxWall = 0;
        int failed = 0;
        Object firstResult = null;
        boolean haveFirst = false;
        int calls = 0;
        long progressAt = System.nanoTime();
        long maxHeap = Runtime.getRuntime().maxMemory();
        while (calls < MAX_CALLS) {
            long now = System.nanoTime();
            if (now >= deadline && calls >= 3) {
                break;
            }
            if (calls == 3) {
                out.put("heap base " + usedAfterGc() + " " + calls);
            }
            Runtime rt = Runtime.getRuntime();
            if (calls > 3 && rt.totalMemory() - rt.freeMemory() > maxHeap / 2 && usedAfterGc() > maxHeap / 2) {
                out.put("note stopped early: the retained heap passed half of -Xmx");
                break;
            }
            Object input = inputs.get(calls % inputs.size());
            currentCall = calls;
            long q0 = runQueueNanos();
            long c0 = threads.getCurrentThreadCpuTime();
            long a0 = allocs == null ? 0 : allocs.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            boolean ok = true;
            Object result = null;
            try {
                result = inst.fn().apply(input);
            } catch (Throwable t) {
                ok = false;
                if (failed == 0) {
                    out.put("failure " + oneLine(Subject.describe(Subject.unwrap(t))));
                }
                failed++;
            }
            long wall = System.nanoTime() - t0;
            long cpu = threads.getCurrentThreadCpuTime() - c0;
            long alloc = allocs == null ? -1 : allocs.getCurrentThreadAllocatedBytes() - a0;
            long runq = q0 < 0 ? 0 : Math.max(0, runQueueNanos() - q0);
            currentCall = -1;
            wallSum += wall;
            cpuSum += cpu;
            runqSum += runq;
            allocSum += Math.max(0, alloc);
            maxWall = Math.max(maxWall, wall);
            if (calls < DETAILED_CALLS) {
                out.put("call " + calls + (ok ? " ok " : " fail ") + wall + " " + cpu + " " + alloc + " " + runq);
            } else if (t0 + wall - progressAt >= PROGRESS_NANOS) {
                progressAt = t0 + wall;
                out.put("progress " + (calls + 1) + " " + failed);
            }
            if (ok && !haveFirst && calls % inputs.size() == 0) {
                haveFirst = true;
                firstResult = result;
                out.put(serialized("result", result, null));
            }
            calls++;
        }
        if (calls > 3) {
            out.put("heap end " + usedAfterGc() + " " + calls);
        }
        out.put("deterministic " + (haveFirst ? deterministic(inst, inputs.getFirst(), firstResult) : "unknown"));
        out.put("summary " + calls + " " + failed + " " + wallSum + " " + cpuSum + " " + allocSum + " " + maxWall + " "
                + runqSum);
        Set<String> libs = nativeLibraries();
        libs.removeAll(libsBefore);
        String home = Path.of(System.getProperty("java.home")).toAbsolutePath().toString();
        for (String lib : libs) {
            if (!lib.startsWith(home) && !SYSTEM_LIBS.matcher(lib).matches()) {
                out.put("native " + lib);
            }
        }
    }

    private static String deterministic(Subject.Instance inst, Object input, Object first) {
        if (first == null || !comparable(first)) {
            return "unknown";
        }
        currentCall = -2;
        try {
            Object again = inst.fn().apply(input);
            return String.valueOf(Objects.deepEquals(first, again));
        } catch (RuntimeException e) {
            return "unknown";
        } finally {
            currentCall = -1;
        }
    }

    /** {@return true if equals means equal value, so results of two calls can be compared} */
    static boolean comparable(Object o) {
        if (o.getClass().isArray()) {
            return true;
        }
        try {
            return o.getClass().getMethod("equals", Object.class).getDeclaringClass() != Object.class
                    && o.getClass().getMethod("hashCode").getDeclaringClass() != Object.class
                    && !(o instanceof Enum<?>);
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static String serialized(String what, Object first, Object second) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
            oos.writeObject(first);
            if (second != null) {
                oos.writeObject(second);
            }
        } catch (IOException | RuntimeException e) {
            return "ser-error " + what + " " + oneLine(e.toString());
        }
        return "ser " + what + " " + bytes.size();
    }

    /**
     * {@return how long this thread has waited for a CPU while runnable, or -1} Subtracted from wall
     * time, it keeps a busy machine from making a computing task look like a waiting one.
     */
    private static long runQueueNanos() {
        return ProcFs.threadRunQueueNanos();
    }

    private static long usedAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static Set<String> nativeLibraries() {
        Set<String> libs = new LinkedHashSet<>();
        for (String file : ProcFs.mappedFiles("self")) {
            if (file.contains(".so")) {
                libs.add(file);
            }
        }
        return libs;
    }

    static String oneLine(String s) {
        return s == null ? "null" : s.replace('\n', ' ').replace('\r', ' ');
    }

    /** The result file, one flushed line at a time; used by the main thread and the shutdown hook. */
    private static final class Lines {
        private final BufferedWriter writer;

        Lines(Path path) {
            try {
                writer = Files.newBufferedWriter(
                        path, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        synchronized void put(String line) {
            try {
                writer.write(line);
                writer.newLine();
                writer.flush();
            } catch (IOException e) {
                // the parent will see a short file
            }
        }
    }
}
