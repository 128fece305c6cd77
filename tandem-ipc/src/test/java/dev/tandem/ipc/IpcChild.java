package dev.tandem.ipc;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The main class of the child JVMs that the multi-process tests start ({@link Children}). The first
 * argument names a role; handles arrive Base64-encoded ({@link Children#encode}). Exit code 0 means
 * the role's own checks passed; failures print to stderr and exit non-zero.
 */
public final class IpcChild {
    private IpcChild() {}

    /**
     * Runs one role.
     *
     * @param args the role and its arguments
     * @throws Exception on failure, which exits non-zero
     */
    public static void main(String[] args) throws Exception {
        String role = args[0];
        switch (role) {
            case "count" -> count(args);
            case "produce" -> produce(args);
            case "consume" -> consume(args);
            case "semaphore" -> semaphore(args);
            case "hold-semaphore" -> holdSemaphore(args);
            case "hold-lock" -> holdLock(args);
            case "lock-increment" -> lockIncrement(args);
            case "publish" -> publish(args);
            case "observe" -> observe(args);
            case "echo" -> echo(args);
            case "stream" -> stream(args);
            case "send-and-die" -> sendAndDie(args);
            case "create-and-die" -> createAndDie();
            case "hand-over" -> handOver(args);
            case "full-directory" -> FullDirectory.check();
            case "noop" -> {}
            default -> throw new IllegalArgumentException("unknown role " + role);
        }
    }

    static SegmentHandle handle(String arg) {
        return Children.decode(arg);
    }

    private static void count(String[] args) throws Exception {
        long n = Long.parseLong(args[2]);
        try (SharedCounter counter = SharedCounter.attach(handle(args[1]))) {
            for (long i = 0; i < n; i++) {
                counter.getAndAdd(1);
            }
        }
    }

    /** A queue message: the item and a checksum that a torn or mixed-up copy would break. */
    static byte[] item(long item) {
        return ByteBuffer.allocate(16).putLong(item).putLong(checksum(item)).array();
    }

    static long checksum(long item) {
        return Long.rotateLeft(item * 0x9E37_79B9_7F4A_7C15L, 17) ^ 0x5DEE_CE66_DL;
    }

    /** {@return the item of a message, after checking its checksum} */
    static long parse(byte[] message) {
        if (message.length != 16) {
            throw new AssertionError("message of " + message.length + " bytes: " + Arrays.toString(message));
        }
        ByteBuffer buffer = ByteBuffer.wrap(message);
        long item = buffer.getLong();
        long sum = buffer.getLong();
        if (sum != checksum(item)) {
            throw new AssertionError("corrupt message for item " + item);
        }
        return item;
    }

    private static void produce(String[] args) throws Exception {
        long from = Long.parseLong(args[2]);
        long to = Long.parseLong(args[3]);
        try (SharedQueue queue = SharedQueue.attach(handle(args[1]))) {
            for (long i = from; i < to; i++) {
                if (!queue.put(item(i), Duration.ofSeconds(30))) {
                    throw new AssertionError("put timed out at item " + i);
                }
            }
        }
    }

    /**
     * Takes messages until the "done" counter is set and the queue is empty; each item is counted in
     * the shared tally before it is acknowledged (by the next take). After {@code holdAfter} items
     * it takes and counts one more, reports it on the progress queue and, without acknowledging it,
     * waits to be killed: a consumer that dies with a message in flight.
     */
    private static void consume(String[] args) throws Exception {
        long holdAfter = Long.parseLong(args[5]);
        try (SharedQueue queue = SharedQueue.attach(handle(args[1]));
                SharedLongArray tally = SharedLongArray.attach(handle(args[2]));
                SharedCounter done = SharedCounter.attach(handle(args[3]));
                SharedQueue progress = SharedQueue.attach(handle(args[4]))) {
            long consumed = 0;
            while (true) {
                byte[] message = queue.take(Duration.ofMillis(100));
                if (message == null) {
                    if (done.get() != 0 && queue.size() == 0) {
                        break;
                    }
                    continue;
                }
                long item = parse(message);
                tally.getAndAdd(item, 1);
                if (++consumed == holdAfter + 1) {
                    progress.put(item(item), Duration.ofSeconds(10));
                    awaitKill();
                }
            }
            System.out.println("consumed " + consumed);
        }
    }

    /** Acquires and releases in a loop, checking a shared gauge of current holders. */
    private static void semaphore(String[] args) throws Exception {
        int permits = Integer.parseInt(args[3]);
        int iterations = Integer.parseInt(args[4]);
        try (SharedSemaphore semaphore = SharedSemaphore.attach(handle(args[1]));
                SharedLongArray gauge = SharedLongArray.attach(handle(args[2]))) {
            for (int i = 0; i < iterations; i++) {
                Acquisition got = semaphore.tryAcquire(Duration.ofSeconds(20));
                if (!got.acquired()) {
                    throw new AssertionError("no permit within 20 s at iteration " + i);
                }
                long holders = gauge.getAndAdd(0, 1) + 1;
                if (holders > permits) {
                    gauge.getAndAdd(2, 1); // violations
                }
                long max;
                while (holders > (max = gauge.get(1)) && !gauge.compareAndSet(1, max, holders)) {
                    Thread.onSpinWait();
                }
                for (int spin = 0; spin < 50; spin++) {
                    Thread.onSpinWait();
                }
                gauge.getAndAdd(0, -1);
                gauge.getAndAdd(3, 1); // acquisitions
                semaphore.release();
            }
        }
    }

    /** Takes a permit, reports it on the ready queue, then waits to be killed. */
    private static void holdSemaphore(String[] args) throws Exception {
        SharedSemaphore semaphore = SharedSemaphore.attach(handle(args[1]));
        SharedQueue ready = SharedQueue.attach(handle(args[2]));
        Acquisition got = semaphore.tryAcquire(Duration.ofSeconds(20));
        if (got != Acquisition.ACQUIRED) {
            throw new AssertionError("expected ACQUIRED, was " + got);
        }
        ready.put(item(ProcessHandle.current().pid()), Duration.ofSeconds(20));
        awaitKill();
    }

    private static void holdLock(String[] args) throws Exception {
        SharedLock lock = SharedLock.attach(handle(args[1]));
        SharedQueue ready = SharedQueue.attach(handle(args[2]));
        Acquisition got = lock.tryLock(Duration.ofSeconds(20));
        if (got != Acquisition.ACQUIRED) {
            throw new AssertionError("expected ACQUIRED, was " + got);
        }
        ready.put(item(ProcessHandle.current().pid()), Duration.ofSeconds(20));
        awaitKill();
    }

    /** Holds on until the test kills this process; exits 5 if that never happens. */
    private static void awaitKill() throws InterruptedException {
        new CountDownLatch(1).await(60, TimeUnit.SECONDS);
        System.exit(5);
    }

    /** Increments a plain (non-atomic) shared long under the lock: lost updates would show. */
    private static void lockIncrement(String[] args) throws Exception {
        int iterations = Integer.parseInt(args[3]);
        try (SharedLock lock = SharedLock.attach(handle(args[1]));
                SharedLongArray shared = SharedLongArray.attach(handle(args[2]))) {
            for (int i = 0; i < iterations; i++) {
                Acquisition got = lock.tryLock(Duration.ofSeconds(20));
                if (got != Acquisition.ACQUIRED) {
                    throw new AssertionError("expected ACQUIRED, was " + got + " at iteration " + i);
                }
                try {
                    shared.set(0, shared.get(0) + 1);
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Publication order, writer side: writes data elements plainly, then publishes the sequence with
     * release; waits for the reader's acknowledgement (element 8) before the next round, so every
     * round is a fresh hand-off.
     */
    private static void publish(String[] args) throws Exception {
        long rounds = Long.parseLong(args[2]);
        try (SharedLongArray array = SharedLongArray.attach(handle(args[1]))) {
            for (long i = 1; i <= rounds; i++) {
                for (int e = 1; e < 8; e++) {
                    array.set(e, i * e);
                }
                array.setRelease(0, i);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (array.getAcquire(8) != i) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError("no acknowledgement of round " + i);
                    }
                    Thread.onSpinWait();
                }
            }
        }
    }

    /** Publication order, reader side: after an acquire of sequence i every data element shows round i. */
    private static void observe(String[] args) throws Exception {
        long rounds = Long.parseLong(args[2]);
        try (SharedLongArray array = SharedLongArray.attach(handle(args[1]))) {
            for (long i = 1; i <= rounds; i++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long seen;
                while ((seen = array.getAcquire(0)) != i) {
                    if (seen > i || System.nanoTime() - deadline > 0) {
                        throw new AssertionError("round " + i + ": sequence " + seen);
                    }
                    Thread.onSpinWait();
                }
                for (int e = 1; e < 8; e++) {
                    long value = array.get(e);
                    if (value != i * e) {
                        throw new AssertionError("round " + i + ": element " + e + " is " + value
                                + ", published before the sequence as " + i * e);
                    }
                }
                array.setRelease(8, i);
            }
        }
    }

    /** Returns every frame it receives, until the peer closes. */
    private static void echo(String[] args) throws Exception {
        try (SharedChannel channel = SharedChannel.attach(handle(args[1]))) {
            while (true) {
                byte[] frame;
                try {
                    frame = channel.receive(Duration.ofSeconds(30));
                } catch (EOFException e) {
                    return;
                }
                if (frame == null) {
                    throw new AssertionError("no frame within 30 s");
                }
                if (!channel.send(frame, Duration.ofSeconds(30))) {
                    throw new AssertionError("send timed out");
                }
            }
        }
    }

    /**
     * Full duplex: one thread sends {@code frames} numbered frames of varying size while the main
     * thread receives as many from the parent, checking order and content.
     */
    private static void stream(String[] args) throws Exception {
        int frames = Integer.parseInt(args[2]);
        try (SharedChannel channel = SharedChannel.attach(handle(args[1]))) {
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < frames; i++) {
                        if (!channel.send(ChannelFrames.frame(i), Duration.ofSeconds(30))) {
                            throw new AssertionError("send timed out at " + i);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < frames; i++) {
                byte[] frame = channel.receive(Duration.ofSeconds(30));
                ChannelFrames.check(i, frame);
            }
            sender.join(Duration.ofSeconds(30));
            if (sender.isAlive()) {
                throw new AssertionError("sender did not finish");
            }
        }
    }

    /** Sends one frame, then dies without closing (halt skips shutdown hooks). */
    private static void sendAndDie(String[] args) throws Exception {
        SharedChannel channel = SharedChannel.attach(handle(args[1]));
        channel.send(new byte[] {42}, Duration.ofSeconds(10));
        Runtime.getRuntime().halt(9);
    }

    /** Creates a counter, prints its path, then dies without closing it. */
    private static void createAndDie() throws Exception {
        SharedCounter counter = SharedCounter.create();
        System.out.println(counter.handle().path());
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    /**
     * Creates an array holding 77 at index 3, hands it over as a pool's worker does, to process
     * {@code args[1]} (0: nobody adopts it), prints its handle, and ends by {@code args[2]}:
     * {@code exit} (shutdown hooks run) or {@code halt} (as a death).
     */
    private static void handOver(String[] args) throws Exception {
        long adopter = Long.parseLong(args[1]);
        SharedLongArray array = SharedLongArray.create(4);
        array.set(3, 77);
        if (adopter != 0) {
            long identity = ProcessIdentity.of(
                    adopter, ProcessHandle.of(adopter).orElseThrow().info().startInstant());
            Atomics.setLongRelease(array.segment().whole(), SegmentDescriptor.OWNER_OFFSET, identity);
        }
        array.segment().handOver();
        System.out.println(Children.encode(array.handle()));
        array.close();
        System.out.flush();
        if (args[2].equals("halt")) {
            Runtime.getRuntime().halt(0);
        }
        System.exit(0);
    }
}
