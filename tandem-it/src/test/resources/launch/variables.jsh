import dev.tandem.*;
import java.util.*;
import java.util.concurrent.TimeUnit;
int k = 10;
String greeting = "hello";
var list = List.of(1, 2, 3);
int f(int x) { return x + 1; }
TaskPool pool = Tandem.processes(1).start();
System.out.println("tandem-k " + pool.submit(() -> k * 2).get(2, TimeUnit.MINUTES));
System.out.println("tandem-greeting " + pool.submit(() -> greeting + "!").get(2, TimeUnit.MINUTES));
System.out.println("tandem-list " + pool.submit(() -> list.size()).get(2, TimeUnit.MINUTES));
System.out.println("tandem-f " + pool.submit(() -> f(1)).get(2, TimeUnit.MINUTES));
String attempt(Task<Integer> t) { try { return "ran " + pool.submit(t).get(2, TimeUnit.MINUTES); } catch (Exception e) { return "refused " + e.getMessage().replace('\n', ' '); } }
int f(int x) { return x * 100; }
System.out.println("tandem-redefined-method " + attempt(() -> f(1)));
k = 20;
System.out.println("tandem-changed-var " + attempt(() -> k * 2));
{ int k2 = k; System.out.println("tandem-local " + attempt(() -> k2 * 2)); }
String greeting = "bonjour";
System.out.println("tandem-redefined-var " + attempt(() -> (greeting + "!").length()));
pool.close();
TaskPool fresh = Tandem.processes(1).start();
System.out.println("tandem-fresh " + fresh.submit(() -> f(1) + k + greeting).get(2, TimeUnit.MINUTES));
fresh.close();
/exit
