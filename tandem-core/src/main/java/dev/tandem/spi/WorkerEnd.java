package dev.tandem.spi;

/**
 * How a worker ended, in the words the caller's exceptions use.
 *
 * @param pid the worker's process id
 * @param exitCode the exit code, or null when it could not be had
 * @param signal the signal that ended it (e.g. "SIGKILL"), or null
 * @param hint a likely cause, for an end the conductor did not plan
 * @param outputTail the last lines the worker wrote to stderr, maybe empty
 * @param crashLog the path of a JVM crash log, or null
 * @param notItsFault why the worker was lost through no fault of its own or its task's (its link
 *     broke on the caller's side), or null
 */
public record WorkerEnd(
        long pid,
        Integer exitCode,
        String signal,
        String hint,
        String outputTail,
        String crashLog,
        String notItsFault) {}
