package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.PoolFailedException;
import dev.tandem.TaskPool;
import dev.tandem.measure.ChildJvm;
import dev.tandem.measure.Json;
import dev.tandem.measure.Pace;
import dev.tandem.measure.Units;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fault drills of the isolation experiment, run and read back: thread mode in a child JVM (a
 * fault may end it; the drill's events come from a file written line by line), process mode in the
 * lab's own JVM (surviving such faults is the point). Stateless.
 */
final class Drills {
    private Drills() {}

    /** What one drill showed. */
    record Drill(
            Fault fault,
            String mode,
            boolean besideOk,
            int behindOk,
            int timedOut,
            long timeoutMs,
            double capacity,
            String faultOutcome,
            String faultMessage,
            boolean jvmDied,
            String exit,
            double availableMs,
            double fullStrengthMs,
            double restartMs,
            int stuckThreads,
            double busyCores) {}

    static Map<Fault, Drill> threads(Bench bench, List<Fault> faults, long nonce, long timeout) throws Exception {
        Path out = bench.tmp.resolve("fault-" + faults.get(0).name() + "-" + Long.toHexString(nonce) + ".jsonl");
        long spawnEpoch = System.currentTimeMillis();
        Integer code;
        String stderr;
        String signal;
        try (ChildJvm jvm = bench.child(
                List.of("-Xmx96m", "-Xss512k"),
                "fault",
                List.of(
                        String.join(",", faults.stream().map(Fault::name).toList()),
                        Long.toString(nonce),
                        Integer.toString(IsolationExperiment.QUEUED),
                        Long.toString(IsolationExperiment.besideMillis(faults.get(0))),
                        Long.toString(IsolationExperiment.NAP_MILLIS),
                        Long.toString(timeout),
                        out.toString()),
                false)) {
            code = jvm.await(Pace.Limit.CHILD_RUN);
            stderr = jvm.stderrTail();
            signal = Files.exists(jvm.crashLog()) ? ChildJvm.crashSignal(jvm.crashLog()) : null;
        }
        List<JsonNode> all = new ArrayList<>();
        if (Files.exists(out)) {
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    all.add(Json.MAPPER.readTree(line));
                }
            }
        }
        JsonNode ready = find(all, "ready");
        double restart = ready == null ? Double.NaN : ready.get("epochMs").asDouble() - spawnEpoch;
        String exit = (code == null ? "hung (killed)" : ChildJvm.describeExit(code))
                + (signal == null ? "" : " after " + signal + ", JVM crash log written");
        Map<Fault, Drill> drills = new LinkedHashMap<>();
        for (Fault fault : faults) {
            List<JsonNode> events = all.stream()
                    .filter(e -> e.path("drill").asText().equals(fault.name()))
                    .toList();
            JsonNode after = find(events, "aftermath");
            boolean died = after == null;
            boolean beside = events.stream()
                    .anyMatch(e -> e.get("event").asText().equals("bystander")
                            && e.get("id").asInt() == 0
                            && e.get("ok").asBoolean());
            int behind = (int) events.stream()
                    .filter(e -> e.get("event").asText().equals("bystander")
                            && e.get("id").asInt() > 0
                            && e.get("ok").asBoolean())
                    .count();
            int timedOut = (int) events.stream()
                    .filter(e -> e.get("event").asText().equals("bystander")
                            && timeoutError(e.path("error").asText("")))
                    .count();
            JsonNode fe = find(events, "fault");
            String outcome = fe != null ? fe.get("outcome").asText() : "the whole JVM died (" + exit + ")";
            String message = fe != null ? fe.get("message").asText() : Units.firstLine(lastLine(stderr));
            JsonNode avail = find(events, "available");
            JsonNode full = find(events, "fullStrength");
            drills.put(
                    fault,
                    new Drill(
                            fault,
                            "threads",
                            beside,
                            behind,
                            timedOut,
                            fault.hangs() ? timeout : 0,
                            after == null ? 0 : after.path("capacity").asDouble(Double.NaN),
                            outcome,
                            message,
                            died,
                            died ? exit : "",
                            avail != null && avail.get("ok").asBoolean()
                                    ? avail.get("ms").asDouble()
                                    : Double.NaN,
                            full != null && full.get("ok").asBoolean()
                                    ? full.get("ms").asDouble()
                                    : Double.NaN,
                            restart,
                            after == null ? -1 : after.get("stuckThreads").asInt(),
                            after == null ? Double.NaN : after.get("busyCores").asDouble()));
        }
        return drills;
    }

    /** {@return true if a bystander's error is its own timeout: the machine was slow, not the fault harmful} */
    static boolean timeoutError(String error) {
        return error.equals("TaskTimeoutException") || error.startsWith("no answer within");
    }

    private static String lastLine(String s) {
        List<String> lines =
                s.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static JsonNode find(List<JsonNode> events, String name) {
        return events.stream()
                .filter(e -> e.get("event").asText().equals(name))
                .findFirst()
                .orElse(null);
    }

    static Drill process(TaskPool pool, Fault fault, long nonce, long timeout) throws Exception {
        List<Map<String, Object>> events = new ArrayList<>();
        try {
            new FaultDrill(pool, events::add)
                    .run(
                            fault,
                            nonce,
                            IsolationExperiment.besideMillis(fault),
                            IsolationExperiment.QUEUED,
                            IsolationExperiment.NAP_MILLIS,
                            timeout,
                            2 * timeout
                                    + Pace.measure().limit(Pace.Limit.RECOVERY).toMillis());
        } catch (PoolFailedException e) {
            events.add(FaultDrill.event("poolFailed", "message", Units.firstLine(e.getMessage())));
            pool.shutdownNow();
        }
        boolean beside = events.stream()
                .anyMatch(e -> e.get("event").equals("bystander")
                        && Integer.valueOf(0).equals(e.get("id"))
                        && Boolean.TRUE.equals(e.get("ok")));
        int behind = (int) events.stream()
                .filter(e -> e.get("event").equals("bystander")
                        && !Integer.valueOf(0).equals(e.get("id"))
                        && Boolean.TRUE.equals(e.get("ok")))
                .count();
        int timedOut = (int) events.stream()
                .filter(e -> e.get("event").equals("bystander") && timeoutError(String.valueOf(e.get("error"))))
                .count();
        Map<String, Object> fe = findMap(events, "fault");
        Map<String, Object> avail = findMap(events, "available");
        Map<String, Object> full = findMap(events, "fullStrength");
        Map<String, Object> after = findMap(events, "aftermath");
        String outcome = fe == null ? "no outcome" : String.valueOf(fe.get("outcome"));
        StringBuilder message = new StringBuilder(fe == null ? "" : String.valueOf(fe.get("message")));
        if (fe != null && fe.containsKey("workerExit")) {
            String signal = null;
            if (fe.containsKey("crashLog")) {
                // The crash was the lab's own doing: read what it says, then remove it rather than leave it in /tmp.
                Path log = Path.of((String) fe.get("crashLog"));
                signal = ChildJvm.crashSignal(log);
                Files.deleteIfExists(log);
            }
            String hint = String.valueOf(fe.getOrDefault("hint", ""));
            message.setLength(0);
            message.append("its worker died, ")
                    .append(ChildJvm.describeExit((Integer) fe.get("workerExit")))
                    .append(signal == null ? "" : " after " + signal + " (crash log written)")
                    .append(hint.isBlank() ? "" : "; Tandem's hint: " + hint);
        }
        return new Drill(
                fault,
                "processes",
                beside,
                behind,
                timedOut,
                fault.hangs() ? timeout : 0,
                after == null ? Double.NaN : ((Number) after.get("capacity")).doubleValue(),
                outcome,
                message.toString(),
                false,
                "",
                avail != null && Boolean.TRUE.equals(avail.get("ok")) ? (Double) avail.get("ms") : Double.NaN,
                full != null && Boolean.TRUE.equals(full.get("ok")) ? (Double) full.get("ms") : Double.NaN,
                Double.NaN,
                after == null ? -1 : (Integer) after.get("stuckThreads"),
                after == null ? Double.NaN : (Double) after.get("busyCores"));
    }

    private static Map<String, Object> findMap(List<Map<String, Object>> events, String name) {
        return events.stream()
                .filter(e -> name.equals(e.get("event")))
                .findFirst()
                .orElse(null);
    }
}
