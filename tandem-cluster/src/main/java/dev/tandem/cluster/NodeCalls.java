package dev.tandem.cluster;

import com.hazelcast.client.HazelcastClientNotActiveException;
import com.hazelcast.client.impl.clientside.HazelcastClientInstanceImpl;
import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.client.impl.protocol.ClientMessage;
import com.hazelcast.client.impl.protocol.codec.ExecutorServiceSubmitToMemberCodec;
import com.hazelcast.client.impl.spi.impl.ClientInvocation;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.util.UuidUtil;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;

/** How a caller calls a node through Hazelcast's executor: see {@link #submit} and {@link Direct}. Stateless. */
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

    /**
     * The executor's SUBMIT_TO_MEMBER request sent by the client's own invocation, without the
     * future its {@code IExecutorService} proxy wraps around it: that wrapper
     * ({@code IExecutorDelegatingFuture}) listens to the invocation on the common fork-join pool, so
     * every answer woke a common-pool thread of the caller's (measured: 29-38 us of the caller's CPU
     * per empty-task round trip, two answers each) although Tandem's handling runs on the IO thread.
     * The request, the member's handling and the errors are the proxy's; the answer is decoded here
     * as the proxy's decoder does. For a Hazelcast client only ({@link #of}); any other instance is
     * called through {@link #submit}.
     */
    static final class Direct {
        private final HazelcastClientProxy client;

        private Direct(HazelcastClientProxy client) {
            this.client = client;
        }

        /** {@return a direct caller for {@code instance}, or null if it is not a Hazelcast client} */
        static Direct of(HazelcastInstance instance) {
            return instance instanceof HazelcastClientProxy p ? new Direct(p) : null;
        }

        /**
         * Submits {@code task} to {@code executor} on member {@code m}; the future completes on the
         * thread that received the answer (the client's IO thread) with the task's value.
         */
        <T> CompletableFuture<T> submit(String executor, Callable<T> task, Member m) {
            CompletableFuture<T> f = new CompletableFuture<>();
            try {
                SerializationService ss = client.getSerializationService();
                Data data = ss.toData(task);
                ClientMessage request = ExecutorServiceSubmitToMemberCodec.encodeRequest(
                        executor, UuidUtil.newUnsecureUUID(), data, m.getUuid());
                HazelcastClientInstanceImpl impl = client.client; // null once the client shut down
                if (impl == null) {
                    throw new HazelcastClientNotActiveException();
                }
                new ClientInvocation(impl, request, executor, m.getUuid())
                        .invoke()
                        .whenCompleteAsync(
                                (answer, error) -> {
                                    if (error != null) {
                                        f.completeExceptionally(error);
                                        return;
                                    }
                                    try {
                                        T t = ss.toObject(ExecutorServiceSubmitToMemberCodec.decodeResponse(answer));
                                        f.complete(t);
                                    } catch (RuntimeException e) {
                                        f.completeExceptionally(e);
                                    }
                                },
                                INLINE);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
            return f;
        }
    }
}
