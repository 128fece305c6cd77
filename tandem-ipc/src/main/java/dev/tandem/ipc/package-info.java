/**
 * Inter-process primitives over shared memory, usable with or without a Tandem pool: what Python's
 * {@code multiprocessing} offers (Queue, Pipe, Lock, Semaphore, Value/Array, SharedMemory), for JVMs.
 *
 * <table class="striped">
 *   <caption>The primitives</caption>
 *   <tr><th>Type</th><th>Like</th><th>Survives a dead peer by</th></tr>
 *   <tr><td>{@link dev.tandem.ipc.SharedSegment}</td><td>{@code shared_memory.SharedMemory}</td>
 *       <td>sweeping files of dead creators</td></tr>
 *   <tr><td>{@link dev.tandem.ipc.SharedLongArray}, {@link dev.tandem.ipc.SharedDoubleArray},
 *       {@link dev.tandem.ipc.SharedByteArray}</td><td>{@code multiprocessing.Array}</td><td>-</td></tr>
 *   <tr><td>{@link dev.tandem.ipc.SharedCounter}</td><td>{@code multiprocessing.Value}</td><td>-</td></tr>
 *   <tr><td>{@link dev.tandem.ipc.SharedQueue}</td><td>{@code multiprocessing.Queue}</td>
 *       <td>reporting a dead consumer's in-flight message</td></tr>
 *   <tr><td>{@link dev.tandem.ipc.SharedSemaphore}, {@link dev.tandem.ipc.SharedLock}</td>
 *       <td>{@code Semaphore}, {@code Lock}; a robust POSIX mutex</td>
 *       <td>taking over a dead holder's permit ({@link dev.tandem.ipc.Acquisition#OWNER_DIED})</td></tr>
 *   <tr><td>{@link dev.tandem.ipc.SharedChannel}</td><td>{@code multiprocessing.Pipe}</td>
 *       <td>{@link dev.tandem.ipc.PeerDiedException}</td></tr>
 * </table>
 *
 * <p>Each object is created by one process and attached by others through its
 * {@link dev.tandem.ipc.SegmentHandle}, a small serializable record. A Tandem pool does that itself
 * for the shared arrays: captured by a task or returned by it, an array travels by reference and
 * arrives attached (see {@link dev.tandem.ipc.SharedLongArray} for who owns what). Every wait has a timeout; blocked
 * threads spin briefly, then sleep on a Linux futex (elsewhere: bounded parking) and check the liveness
 * of the processes they depend on about every 50 ms. Liveness is judged by pid and process start time.
 * JVMs using this package need {@code --enable-native-access=ALL-UNNAMED} (class path) or
 * {@code --enable-native-access=dev.tandem.ipc} (module path) to run without a warning.
 */
package dev.tandem.ipc;
