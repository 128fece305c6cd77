package dev.tandem.lab;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code tandem lab}: placeholder until the lab lands. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Measure every claim of the note on this machine and write tandem-report/.")
public final class LabCommand implements Callable<Integer> {
    /** Creates the command. */
    public LabCommand() {
    }

    @Override
    public Integer call() {
        System.err.println("tandem lab: not built yet");
        return 1;
    }
}
