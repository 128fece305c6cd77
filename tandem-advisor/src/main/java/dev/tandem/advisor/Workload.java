package dev.tandem.advisor;

import dev.tandem.TaskFunction;
import java.util.List;

/**
 * A workload the advisor can measure: inputs and the function applied to each. Write one when the
 * work takes an input; a plain {@link dev.tandem.Task} is measured by calling it repeatedly.
 *
 * <pre>{@code
 * public final class Thumbnails implements Workload<Path, byte[]> {
 *     public List<Path> inputs(int count) { return Images.sample(count); }
 *     public TaskFunction<Path, byte[]> function() { return Images::thumbnail; }
 * }
 * }</pre>
 *
 * <p>The class needs a public no-argument constructor: the advisor makes one instance in a child JVM
 * for its first probe and one in its own JVM. In process and hybrid trials the function and the
 * inputs are copied to worker JVMs, so they must be {@link java.io.Serializable} (a lambda whose
 * target is {@link TaskFunction} is).
 *
 * @param <T> the input type
 * @param <R> the result type
 */
public interface Workload<T, R> {
    /**
     * Makes the inputs of a run. Called once per JVM, before any call is timed.
     *
     * @param count how many inputs the user asked for ({@code --inputs})
     * @return at least one input; the advisor cycles through a shorter list
     */
    List<T> inputs(int count);

    /** {@return the function to apply to each input} */
    TaskFunction<T, R> function();
}
