import dev.tandem.TaskPool;
import dev.tandem.Tandem;
import java.util.concurrent.TimeUnit;

/** Run by the source launcher of several files (JEP 458): Other.java is compiled only when Other is loaded. */
public class Main {
    public static void main(String[] args) throws Exception {
        long caller = ProcessHandle.current().pid();
        try (TaskPool pool = Tandem.processes(1).start()) {
            // The caller has not loaded Other before this submit: the worker needs it all the same.
            Other o = pool.submit(() -> new Other(ProcessHandle.current().pid(), 6 * 7)).get(2, TimeUnit.MINUTES);
            System.out.println("tandem-launch caller=" + caller + " worker=" + o.pid() + " answer=" + o.value());
        }
    }
}
