package dev.tandem;

/**
 * A task that {@link WorkerClassPathTest} loads a second time through its own class loaders, as
 * jshell or the source launcher define classes: workers can load that copy only if the pool ships it.
 */
public final class ShippedTask implements Task<String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call() {
        return Greeting.greet(ProcessHandle.current().pid());
    }

    /** A second class the task needs, so shipping must follow the constant pool. */
    static final class Greeting {
        private Greeting() {}

        static String greet(long pid) {
            return "shipped ran in " + pid;
        }
    }
}
