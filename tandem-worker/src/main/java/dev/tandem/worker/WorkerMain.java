package dev.tandem.worker;

/** Placeholder. */
public final class WorkerMain {
    private WorkerMain() {
    }

    /**
     * Entry point.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
    }
}
