package dev.tandem;

/** Main class of a caller JVM that starts a process pool, runs one task and closes it: a "next start". */
public final class NextPoolStart {
    private NextPoolStart() {}

    public static void main(String[] args) throws Exception {
        try (TaskPool pool = Tandem.processes(1).start()) {
            System.out.println("ANSWER " + pool.submit(() -> 6 * 7).get());
        }
    }
}
