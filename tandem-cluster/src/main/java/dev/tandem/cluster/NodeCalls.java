package dev.tandem.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.IExecutorService;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;

/** How a caller calls a node through Hazelcast's executor: see {@link #submit}. Stateless. */
final class NodeCalls {
    /** Runs an answer's handling on the thread that completes the call. */
    private static final Executor INLINE = Runnable::run;

    private NodeCalls() {}

    /**
     * Submits a task to one member; the future completes on the thread that received the answer,
     * Hazelcast's, so handling it costs no further thread wake-up (Hazelcast's callbacks run on the
     * common fork-join pool: one wake-up more per answer). Never waits for the answer:
     * {@code submitToMember} would, once every 100 calls of a burst (Hazelcast's heuristic against
     * flooding a member), blocking the calling thread for a whole round trip.
     *
     * @param fallback runs a blocking wait for the answer, should the future not be a completion stage
     */
    static <T> CompletableFuture<T> submit(IExecutorService executor, Callable<T> task, Member m, Executor fallback) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            Future<T> call = executor.submitToMembers(task, List.of(m)).get(m);
            if (call instanceof CompletionStage<?> stage) {
                stage.whenCompleteAsync(
                        (answer, error) -> {
                            if (error != null) {
                                f.completeExceptionally(error);
                            } else {
                                @SuppressWarnings("unchecked")
                                T t = (T) answer;
                                f.complete(t);
                            }
                        },
                        INLINE);
            } else {
                fallback.execute(() -> {
                    try {
                        f.complete(call.get());
                    } catch (ExecutionException e) {
                        f.completeExceptionally(e.getCause());
                    } catch (InterruptedException | RuntimeException e) {
                        f.completeExceptionally(e);
                    }
                });
            }
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }
}
