package dev.tandem;

import java.io.Serializable;
import java.util.function.Function;

/**
 * A function applied to each input by {@link TaskPool#map(TaskFunction, Iterable)}.
 *
 * <p>Serializable so that a lambda can be copied to a worker JVM; in process and hybrid modes the
 * inputs and outputs are copied as well.
 *
 * @param <T> the input type
 * @param <R> the output type
 */
@FunctionalInterface
public interface TaskFunction<T, R> extends Function<T, R>, Serializable {}
