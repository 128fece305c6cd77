package dev.tandem.advisor;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code tandem advise}: placeholder until the advisor lands. */
@Command(name = "advise", mixinStandardHelpOptions = true,
        description = "Run your task under every model and recommend one, with reasons.")
public final class AdviseCommand implements Callable<Integer> {
    /** Creates the command. */
    public AdviseCommand() {
    }

    @Override
    public Integer call() {
        System.err.println("tandem advise: not built yet");
        return 1;
    }
}
