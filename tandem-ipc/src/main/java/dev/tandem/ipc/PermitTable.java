package dev.tandem.ipc;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The engine behind {@link SharedSemaphore} and {@link SharedLock}: permit slots in a
 * {@link PermitDescriptor} layout.
 *
 * <h2>Concurrency</h2>
 * Acquire scans the slots from a random start and CASes the first free one from 0 to this
 * process's identity. Release CASes it back to 0 and signals. A waiter that finds no free slot
 * waits on the release {@link Signal}; between sleeps (about every {@link Signal#SLICE_NANOS}) it
 * checks each holder's liveness and CASes a dead holder's slot to itself, which makes it the new
 * holder and is reported as {@link Acquisition#OWNER_DIED}. Two recoverers race on the same CAS;
 * one wins. All slot accesses are volatile (CAS), so a release happens-before the acquire that
 * takes the freed slot, and a holder's writes happen-before the recovery of its slot.
 *
 * <h2>Failure</h2>
 * A holder's death is noticed by the next waiter within one slice, or by a non-blocking attempt
 * that finds no free slot. A process that dies while waiting holds nothing. Same-process holders
 * share one identity; callers keep track of which slots they hold.
 */
final class PermitTable {
    private final SharedSegment segment;
    private final MemorySegment memory;
    private final int permits;
    private final Signal released;

    PermitTable(SharedSegment segment) {
        this.segment = segment;
        this.memory = segment.whole();
        this.permits = Atomics.getIntPlain(memory, PermitDescriptor.PERMITS_OFFSET);
        if (permits < 1 || PermitDescriptor.segmentSize(permits) > memory.byteSize()) {
            throw new IllegalStateException(
                    "corrupt permit table: " + permits + " permits in " + memory.byteSize() + " bytes");
        }
        this.released =
                new Signal(memory, PermitDescriptor.SIGNAL_SEQUENCE_OFFSET, PermitDescriptor.SIGNAL_WAITERS_OFFSET);
    }

    static void initialize(MemorySegment whole, int permits) {
        Atomics.setIntPlain(whole, PermitDescriptor.PERMITS_OFFSET, permits);
    }

    static void checkPermits(int permits) {
        if (permits < 1 || permits > PermitDescriptor.MAX_PERMITS) {
            throw new IllegalArgumentException(
                    "permits must be between 1 and " + PermitDescriptor.MAX_PERMITS + ", was " + permits);
        }
    }

    SharedSegment segment() {
        return segment;
    }

    int permits() {
        return permits;
    }

    /** {@return a slot index claimed from free, or -1} */
    int tryClaim() {
        int start = permits == 1 ? 0 : ThreadLocalRandom.current().nextInt(permits);
        long self = ProcessIdentity.self();
        for (int i = 0; i < permits; i++) {
            int slot = (start + i) % permits;
            long offset = PermitDescriptor.slotOffset(slot);
            if (Atomics.getLongVolatile(memory, offset) == 0 && Atomics.casLong(memory, offset, 0, self)) {
                return slot;
            }
        }
        return -1;
    }

    /** {@return a slot index taken over from a dead holder, or -1} */
    int tryRecover() {
        long self = ProcessIdentity.self();
        Map<Long, Boolean> alive = new HashMap<>();
        for (int slot = 0; slot < permits; slot++) {
            long offset = PermitDescriptor.slotOffset(slot);
            long holder = Atomics.getLongVolatile(memory, offset);
            if (holder == 0 || holder == self) {
                continue;
            }
            if (!alive.computeIfAbsent(holder, ProcessIdentity::isAlive)
                    && Atomics.casLong(memory, offset, holder, self)) {
                return slot;
            }
        }
        return -1;
    }

    /**
     * Acquires a slot, waiting up to {@code timeout}.
     *
     * @return the slot in the low 32 bits, and 1 in bit 32 if it was recovered from a dead holder;
     *         or -1 on timeout
     */
    long acquire(Duration timeout) throws InterruptedException {
        long deadline = Signal.deadline(timeout);
        int[] got = {-1};
        boolean[] recovered = {false};
        released.await(() -> got[0] >= 0 || (got[0] = tryClaim()) >= 0, deadline, () -> {
            int slot = tryRecover();
            if (slot >= 0) {
                got[0] = slot;
                recovered[0] = true;
            }
        });
        if (got[0] < 0) {
            int slot = tryRecover();
            if (slot >= 0) {
                return (1L << 32) | slot;
            }
            return -1;
        }
        return (recovered[0] ? 1L << 32 : 0) | got[0];
    }

    /** Frees a slot this process holds and wakes waiters. */
    void release(int slot) {
        long offset = PermitDescriptor.slotOffset(slot);
        if (!Atomics.casLong(memory, offset, ProcessIdentity.self(), 0)) {
            throw new IllegalStateException("permit slot " + slot + " is not held by this process (held by "
                    + ProcessIdentity.describe(Atomics.getLongVolatile(memory, offset)) + ")");
        }
        released.signal();
    }

    /** {@return how many slots are free now} */
    int available() {
        int free = 0;
        for (int slot = 0; slot < permits; slot++) {
            if (Atomics.getLongVolatile(memory, PermitDescriptor.slotOffset(slot)) == 0) {
                free++;
            }
        }
        return free;
    }

    /** Wakes this segment's waiters, so that those of a closing object notice promptly. */
    void wakeAll() {
        released.wakeAll();
    }
}
