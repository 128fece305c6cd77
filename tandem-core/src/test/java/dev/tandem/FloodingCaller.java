package dev.tandem;

import java.util.Arrays;
import java.util.concurrent.ExecutionException;

/**
 * Main class of a caller JVM (run with a small heap) whose worker writes {@code args[1]} MiB to
 * stdout and to stderr without a newline, then a last line to each and {@code System.exit(9)}. It
 * prints {@code TAIL <stderr tail>} and {@code EXIT <code>} from the {@link WorkerLostException}.
 */
public final class FloodingCaller {
    private FloodingCaller() {}

    public static void main(String[] args) throws Exception {
        boolean forward = Boolean.parseBoolean(args[0]);
        int mebibytes = Integer.parseInt(args[1]);
        try (TaskPool pool =
                Tandem.processes(1).forwardOutput(forward).aotCache(false).start()) {
            pool.submit(() -> {
                        byte[] block = new byte[1 << 20];
                        Arrays.fill(block, (byte) '~');
                        for (int i = 0; i < mebibytes; i++) {
                            System.out.write(block);
                            System.err.write(block);
                        }
                        System.out.flush();
                        System.err.flush();
                        return 0;
                    })
                    .get();
            try {
                pool.submit(() -> {
                            System.out.print("\nafter the flood\n");
                            System.err.print("\nlast words\n");
                            System.out.flush();
                            System.err.flush();
                            System.exit(9);
                            return 0;
                        })
                        .get();
                System.out.println("NO FAILURE");
            } catch (ExecutionException e) {
                WorkerLostException lost = (WorkerLostException) e.getCause();
                System.out.println("TAIL " + lost.stderrTail().replace("\n", " | "));
                System.out.println("EXIT " + lost.exitCode().orElse(-1));
            }
        }
    }
}
