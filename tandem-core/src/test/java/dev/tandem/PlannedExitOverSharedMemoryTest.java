package dev.tandem;

/** Issue 9 (robustness §1): the planned-exit tests over the shared-memory transport too. */
class PlannedExitOverSharedMemoryTest extends PlannedExitTest {
    @Override
    Transport transport() {
        return Transport.SHARED_MEMORY;
    }
}
