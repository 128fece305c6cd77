package dev.tandem;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording for a test: started when made, stopped, dumped and parsed by {@link #events}.
 * Either every Tandem event is enabled, or the JDK's {@code default} configuration is used as is.
 */
final class FlightRecording implements AutoCloseable {
    static final List<String> ALL = List.of(
            "dev.tandem.TaskQueued",
            "dev.tandem.TaskStarted",
            "dev.tandem.TaskFinished",
            "dev.tandem.WorkerStarted",
            "dev.tandem.WorkerDied",
            "dev.tandem.WorkerRecycled",
            "dev.tandem.RestartBackoff",
            "dev.tandem.PoolFailed");

    private final Recording recording;

    private FlightRecording(Recording recording) {
        this.recording = recording;
        recording.start();
    }

    /** {@return a started recording of every Tandem event} */
    static FlightRecording all() {
        Recording r = new Recording();
        ALL.forEach(r::enable);
        return new FlightRecording(r);
    }

    /** {@return a started recording with the JDK's default settings, Tandem's defaults included} */
    static FlightRecording defaults() throws Exception {
        return new FlightRecording(new Recording(Configuration.getConfiguration("default")));
    }

    /**
     * Stops the recording and returns the Tandem events of {@code pool}, in the order of their time.
     * Call it after the pool terminated: every hook has run by then.
     */
    List<RecordedEvent> events(TaskPool pool, Path dir) throws IOException {
        recording.stop();
        Path file = dir.resolve("recording.jfr");
        recording.dump(file);
        int poolId = ((AbstractTaskPool) pool).events.poolId;
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.tandem."))
                .filter(e -> e.getInt("poolId") == poolId)
                .sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime()))
                .toList();
    }

    /** {@return the events named {@code dev.tandem.<name>} among {@code events}} */
    static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.tandem." + name))
                .toList();
    }

    @Override
    public void close() {
        recording.close();
    }
}
