package dev.tandem;

/** Issue 9: the failure suite over the shared-memory transport too. */
class ProcessFailureOverSharedMemoryTest extends ProcessFailureTest {
    @Override
    Transport transport() {
        return Transport.SHARED_MEMORY;
    }
}
