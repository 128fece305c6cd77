package dev.tandem;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A unit of work that a {@link TaskPool} can run in this JVM or copy to a worker JVM.
 *
 * <p>Because it is {@link Serializable}, a lambda whose target type is {@code Task} is serializable
 * too, so {@code pool.submit(() -> work())} can cross a process boundary. Everything the lambda
 * captures must be serializable as well.
 *
 * <p>In process and hybrid modes the task, its captured state and its result are <em>copied</em>:
 * the worker sees a copy of what the caller had, and writes made by the task to captured objects are
 * not visible to the caller. No heap is shared between processes. Large primitive arrays and
 * {@link java.nio.ByteBuffer}s travel through shared memory but are copies all the same (see
 * {@link TaskPool}).
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface Task<T> extends Callable<T>, Serializable {}
