package dev.tandem.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(LitterCheck.class)
class SegmentTest {
    @RegisterExtension
    final Children children = new Children();

    @Test
    void filesAreOwnerOnlyInAnOwnerOnlyDirectory() throws IOException {
        try (SharedSegment segment = SharedSegment.create(100)) {
            Path file = Path.of(segment.handle().path());
            assertThat(file.getParent()).isEqualTo(SharedSegment.directory());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                    .isEqualTo("rwx------");
            assertThat(Files.isSymbolicLink(file.getParent())).isFalse();
            assertThat(Files.size(file)).isEqualTo(segment.handle().size());
            assertThat(file.getFileName().toString())
                    .startsWith("raw-" + ProcessHandle.current().pid() + "-");
        }
    }

    @Test
    void attachSeesTheSameMemoryAndCloseDeletesOnlyForTheCreator() throws IOException {
        SharedSegment created = SharedSegment.create(4096);
        Path file = Path.of(created.handle().path());
        try {
            SharedSegment attached = SharedSegment.attach(Children.decode(Children.encode(created.handle())));
            created.memory().set(ValueLayout.JAVA_LONG, 8, 0x1234_5678_9ABCL);
            assertThat(attached.memory().get(ValueLayout.JAVA_LONG, 8)).isEqualTo(0x1234_5678_9ABCL);
            assertThat(attached.memory().byteSize()).isEqualTo(4096);
            assertThat(attached.isOwner()).isFalse();
            attached.close();
            assertThat(Files.exists(file)).isTrue();
        } finally {
            created.close();
        }
        assertThat(Files.exists(file, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThatThrownBy(() -> SharedSegment.attach(created.handle()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> created.memory().get(ValueLayout.JAVA_BYTE, 0))
                .isInstanceOf(IllegalStateException.class);
        created.close(); // idempotent
    }

    @Test
    void attachRefusesAnotherKind() throws IOException {
        try (SharedCounter counter = SharedCounter.create()) {
            SegmentHandle handle = counter.handle();
            assertThatThrownBy(() -> SharedLock.attach(handle))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("counter");
            SegmentHandle forged = new SegmentHandle("lock", handle.path(), handle.size());
            assertThatThrownBy(() -> SharedLock.attach(forged))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("expected lock");
        }
    }

    @Test
    void handleValidation() {
        assertThatThrownBy(() -> new SegmentHandle("nope", "/x", 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SegmentHandle("raw", "relative", 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute");
        assertThatThrownBy(() -> SharedSegment.create(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bytes must be >= 1, was 0");
    }

    @Test
    @Timeout(60)
    void filesOfDeadCreatorsAreSwept() throws Exception {
        Children.Child child = children.start("create-and-die");
        child.awaitSuccess(30);
        Path file = Path.of(Files.readString(child.stdout()).trim());
        assertThat(file).exists();
        assertThat(SharedSegment.sweep()).isGreaterThanOrEqualTo(1);
        assertThat(file).doesNotExist();
    }

    @Test
    void filesOfLiveCreatorsAreNotSwept() throws IOException {
        try (SharedCounter counter = SharedCounter.create()) {
            SharedSegment.sweep();
            assertThat(Path.of(counter.handle().path())).exists();
        }
    }

    @Test
    void arraysAreSharedWithoutCopy() throws IOException {
        try (SharedLongArray longs = SharedLongArray.create(1000);
                SharedLongArray same = SharedLongArray.attach(longs.handle())) {
            longs.set(999, 7);
            assertThat(same.get(999)).isEqualTo(7);
            assertThat(same.getAndAdd(999, 3)).isEqualTo(7);
            assertThat(longs.compareAndSet(999, 10, 11)).isTrue();
            assertThat(same.getAcquire(999)).isEqualTo(11);
            long[] values = {1, 2, 3};
            longs.copyFrom(values, 0, 10, 3);
            long[] back = new long[3];
            same.copyTo(10, back, 0, 3);
            assertThat(back).containsExactly(1, 2, 3);
            assertThat(same.memory().get(ValueLayout.JAVA_LONG, 11 * 8)).isEqualTo(2);
            assertThatThrownBy(() -> longs.get(1000)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> longs.copyFrom(values, 0, 998, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        try (SharedDoubleArray doubles = SharedDoubleArray.create(3);
                SharedDoubleArray same = SharedDoubleArray.attach(doubles.handle())) {
            doubles.setRelease(2, 2.5);
            assertThat(same.getAcquire(2)).isEqualTo(2.5);
            assertThat(same.length()).isEqualTo(3);
        }
        try (SharedByteArray bytes = SharedByteArray.create(5);
                SharedByteArray same = SharedByteArray.attach(bytes.handle())) {
            bytes.copyFrom(new byte[] {1, 2, 3, 4, 5}, 0, 0, 5);
            assertThat(same.memory().toArray(ValueLayout.JAVA_BYTE)).containsExactly(1, 2, 3, 4, 5);
        }
        try (SharedByteArray empty = SharedByteArray.create(0)) {
            assertThat(empty.length()).isZero();
        }
    }

    @Test
    void counterBasics() throws IOException {
        try (SharedCounter counter = SharedCounter.create();
                SharedCounter same = SharedCounter.attach(counter.handle())) {
            assertThat(counter.incrementAndGet()).isEqualTo(1);
            assertThat(same.addAndGet(4)).isEqualTo(5);
            assertThat(same.compareAndSet(5, 9)).isTrue();
            assertThat(counter.compareAndSet(5, 10)).isFalse();
            counter.set(-1);
            assertThat(same.get()).isEqualTo(-1);
        }
    }

    @Test
    void futexIsUsedOnLinux() {
        if (System.getProperty("os.name").contains("Linux")) {
            assertThat(Futex.describe()).isEqualTo("futex");
        }
    }

    @Test
    @Timeout(60)
    void counterFromFourProcessesCountsExactly() throws Exception {
        int processes = 4;
        long increments = 1_000_000;
        try (SharedCounter counter = SharedCounter.create()) {
            Children.Child[] workers = new Children.Child[processes];
            for (int i = 0; i < processes; i++) {
                workers[i] = children.start("count", Children.encode(counter.handle()), Long.toString(increments));
            }
            for (Children.Child worker : workers) {
                worker.awaitSuccess(60);
            }
            assertThat(counter.get()).isEqualTo(processes * increments);
        }
    }
}
