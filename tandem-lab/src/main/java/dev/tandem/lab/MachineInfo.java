package dev.tandem.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import dev.tandem.Tandem;
import dev.tandem.measure.Json;
import dev.tandem.measure.Pace;
import dev.tandem.measure.Page;
import dev.tandem.measure.ProcFs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The machine, the JDK, Python and Tandem that a run measured, written into results.json so that two
 * runs can be compared knowingly. Read once per run; immutable afterwards.
 */
final class MachineInfo {
    private MachineInfo() {}

    static String tandemVersion() {
        return Page.tandemVersion();
    }

    static ObjectNode machine() {
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("memoryBytes", os.getTotalMemorySize());
        m.put("cpuModel", ProcFs.cpuInfo("model name"));
        m.put("os", System.getProperty("os.name"));
        m.put("kernel", System.getProperty("os.version"));
        m.put("arch", System.getProperty("os.arch"));
        m.put("virtualized", ProcFs.cpuFlag("hypervisor"));
        m.put("pcid", ProcFs.cpuFlag("pcid"));
        var cpus = m.putArray("cpusAllowed");
        ProcFs.allowedCpus().forEach(cpus::add);
        m.put("pageSize", ProcFs.pageSize());
        return m;
    }

    static ObjectNode jdk() {
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.put("version", Runtime.version().toString());
        j.put("vendor", System.getProperty("java.vendor"));
        j.put("vm", System.getProperty("java.vm.name"));
        j.put("home", System.getProperty("java.home"));
        return j;
    }

    static ObjectNode tandem() {
        ObjectNode t = Json.MAPPER.createObjectNode();
        t.put("version", tandemVersion());
        try {
            Path core = Path.of(Tandem.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            t.put("core", core.toString());
            t.put(
                    "coreModified",
                    Instant.ofEpochMilli(Files.getLastModifiedTime(core).toMillis())
                            .toString());
        } catch (Exception e) {
            t.put("core", "unknown");
        }
        return t;
    }

    /**
     * {@return true if {@code python3}'s GIL is on, false if off (a free-threaded build run without it), null if
     * unknown or there is no python3} As the interpreter says: {@code sys._is_gil_enabled()} from 3.13; every
     * earlier CPython has the GIL.
     */
    static Boolean pythonGil() {
        String out = python3(
                "-c",
                "import sys, platform; c = getattr(sys, '_is_gil_enabled', None); print(c() if c else"
                        + " (True if platform.python_implementation() in ('CPython', 'PyPy') else None))");
        return "True".equals(out) ? Boolean.TRUE : "False".equals(out) ? Boolean.FALSE : null;
    }

    /** {@return the version printed by {@code python3 --version}, or null if there is no python3} */
    static String python() {
        String out = python3("--version");
        return out != null && out.startsWith("Python ") ? out.substring("Python ".length()) : null;
    }

    /** {@return what {@code python3 args} printed (stdout and stderr, trimmed) if it exited 0 in time, else null} */
    private static String python3(String... args) {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (Pace.await(Pace.Limit.COMMAND, ns -> p.waitFor(ns, TimeUnit.NANOSECONDS)) && p.exitValue() == 0) {
                return out;
            }
            p.destroyForcibly();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
