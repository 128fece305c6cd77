import dev.tandem.*;
import java.util.concurrent.TimeUnit;
record Answer(long pid, int value) implements java.io.Serializable {}
int times(int a, int b) { return a * b; }
long caller = ProcessHandle.current().pid();
TaskPool pool = Tandem.processes(1).start();
Answer a = pool.submit(() -> new Answer(ProcessHandle.current().pid(), times(6, 7))).get(2, TimeUnit.MINUTES);
System.out.println("tandem-launch caller=" + caller + " worker=" + a.pid() + " answer=" + a.value());
pool.close();
/exit
