package dev.tandem.spi;

import dev.tandem.PoolOptions;
import java.util.List;
import java.util.function.BiFunction;

/**
 * What a cluster caller asks of its nodes.
 *
 * @param options the pool's validated options; {@code options.cluster()} is not null
 * @param initializer the serialized initializer (a {@code Callable}), or an empty array
 * @param classPath the class path the node's worker JVMs need: this caller's, then the pool's
 *     {@code classPath} entries
 * @param systemProperties the {@code -Dkey=value} arguments worker JVMs inherit from this caller
 *     (empty when {@code inheritSystemProperties} is off)
 * @param startFailure makes the {@code WorkerStartException} the engine throws (message, cause)
 */
public record ClusterSpec(
        PoolOptions options,
        byte[] initializer,
        List<String> classPath,
        List<String> systemProperties,
        BiFunction<String, Throwable, RuntimeException> startFailure) {}
