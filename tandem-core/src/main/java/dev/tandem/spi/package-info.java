/**
 * The seam between the process engine's conductor and the workers it dispatches to. Internal: the
 * module exports this package only to {@code dev.tandem.cluster}, so that a cluster node can be
 * modelled as one more kind of {@link dev.tandem.spi.Worker} (a window of slots on another machine)
 * and reuse the conductor's dispatch, deadlines, retries and poison detection instead of copying
 * them. Nothing here is API: it may change with any release.
 *
 * <h2>The contract in one paragraph</h2>
 * A {@link dev.tandem.spi.WorkerStarter} starts a worker and returns it ready. The conductor sends it
 * tasks ({@link dev.tandem.spi.Worker#send}); the worker runs them in the order sent, at most
 * {@link dev.tandem.spi.Worker#slots()} at a time, so the tasks running at any moment are the first
 * {@code slots()} sent and not yet answered. Every task sent gets exactly one reply through the
 * {@link dev.tandem.spi.WorkerListener} (result, failure or copy failure), unless the worker ends
 * first; then the listener hears {@link dev.tandem.spi.WorkerListener#ended} exactly once, after every
 * reply the worker sent before it ended.
 */
package dev.tandem.spi;
