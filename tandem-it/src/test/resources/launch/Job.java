import dev.tandem.TaskPool;
import dev.tandem.Tandem;
import java.io.Serializable;
import java.util.concurrent.TimeUnit;

/** Run by the single-file source launcher: its classes exist only in the caller's memory. */
public class Job {
    record Answer(long pid, int value) implements Serializable {}

    static int times(int a, int b) {
        return a * b;
    }

    public static void main(String[] args) throws Exception {
        long caller = ProcessHandle.current().pid();
        try (TaskPool pool = Tandem.processes(1).start()) {
            Answer a = pool.submit(() -> new Answer(ProcessHandle.current().pid(), times(6, 7))).get(2, TimeUnit.MINUTES);
            System.out.println("tandem-launch caller=" + caller + " worker=" + a.pid() + " answer=" + a.value());
        }
    }
}
