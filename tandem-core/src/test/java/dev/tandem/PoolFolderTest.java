package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 §7, in one JVM: which pool folders and AOT training files a pool start sweeps. A file
 * whose owner is dead goes; one whose owner lives (or may: another pid namespace) never does,
 * whatever its age; a reused pid is told apart by the start time.
 */
class PoolFolderTest {

    /** {@return the stamp of a process that has exited} */
    private static OwnerStamp deadOwner() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        OwnerStamp stamp = OwnerStamp.of(p.toHandle());
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return stamp;
    }

    private static Path folder(Path base, String name) throws IOException {
        Path dir = Files.createDirectory(base.resolve(name));
        Files.writeString(dir.resolve("worker.args"), "\"-Dx=1\"\n");
        return dir;
    }

    private static String stamped(OwnerStamp owner) {
        return PoolFolder.PREFIX + owner.text() + "-0123abcd";
    }

    @Test
    void foldersOfDeadOwnersAreSweptAndLiveOnesNeverAre(@TempDir Path base) throws Exception {
        OwnerStamp self = OwnerStamp.self();
        OwnerStamp dead = deadOwner();
        Path ofDead = folder(base, stamped(dead));
        Path reusedPid = folder(base, stamped(new OwnerStamp(self.pid(), self.startMillis() - 1000, self.namespace())));
        Path mine = folder(base, stamped(self));
        Path otherNamespace =
                folder(base, stamped(new OwnerStamp(dead.pid(), dead.startMillis(), dead.namespace() + 1)));
        Path unrelated = folder(base, PoolFolder.PREFIX + "notes");
        Path target = folder(base, "elsewhere");
        Path link = Files.createSymbolicLink(base.resolve(stamped(deadOwner())), target);
        Process live = new ProcessBuilder("sleep", "60").start();
        try {
            Path ofLive = folder(base, stamped(OwnerStamp.of(live.toHandle())));
            Files.setLastModifiedTime(ofLive, FileTime.fromMillis(0)); // age does not matter

            assertThat(PoolFolder.sweep(base)).isEqualTo(2);

            assertThat(ofDead).doesNotExist();
            assertThat(reusedPid).as("a reused pid: same pid, another start").doesNotExist();
            assertThat(mine).exists();
            assertThat(ofLive).exists();
            assertThat(otherNamespace)
                    .as("a pid this JVM cannot see is never judged dead")
                    .exists();
            assertThat(unrelated).exists();
            assertThat(link).as("a link is not followed").exists();
            assertThat(target.resolve("worker.args")).exists();
        } finally {
            live.destroyForcibly();
            live.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void foldersOfOlderVersionsGoOnlyWhenNobodyListens(@TempDir Path base) throws Exception {
        Path stale = folder(base, PoolFolder.PREFIX + "12804694845539745479");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(stale.resolve("control.sock")));
        } // closed: the socket file stays, and refuses connections
        Path live = folder(base, PoolFolder.PREFIX + "758959848512541493");
        try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listening.bind(UnixDomainSocketAddress.of(live.resolve("control.sock")));

            assertThat(PoolFolder.sweep(base)).isEqualTo(1);

            assertThat(stale).doesNotExist();
            assertThat(live).exists();
        }
    }

    @Test
    void aDeadCallersClassFolderIsSweptWithEverythingInIt(@TempDir Path base) throws Exception {
        // Issue 12: the folder of a pool's argument file and copied classes (tandem-classpath-<random>)
        // had no owner in its name, and stayed after a SIGKILLed caller. It is a pool folder now, whose
        // sub-folders go with it.
        Path ofDead = folder(base, stamped(deadOwner()));
        Path classes = Files.createDirectories(ofDead.resolve("classes/REPL"));
        Files.writeString(classes.resolve("$JShell$11.class"), "x");
        Files.writeString(classes.resolve("$JShell$11.statics"), "x");
        Files.writeString(ofDead.resolve("classpath.args"), "-cp x");
        Path outside = Files.createDirectory(base.resolve("kept"));
        Files.writeString(outside.resolve("file"), "x");
        Files.createSymbolicLink(classes.resolve("link"), outside);

        assertThat(PoolFolder.sweep(base)).isEqualTo(1);

        assertThat(ofDead).doesNotExist();
        assertThat(outside.resolve("file")).as("never deleted through a link").exists();
    }

    @Test
    void aPoolsOwnFolderIsStampedAndDeletedWithIt(@TempDir Path base) throws Exception {
        PoolFolder folder = PoolFolder.create(base);
        assertThat(PoolFolder.ownerOf(folder.path().getFileName().toString())).contains(OwnerStamp.self());
        Files.writeString(folder.path().resolve("worker.args"), "x");
        assertThat(PoolFolder.sweep(base)).isZero();

        folder.delete();

        assertThat(folder.path()).doesNotExist();
    }

    @Test
    void trainingFilesOfDeadOwnersAreStaleAtAnyAgeAndOfLiveOnesAtNone(@TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis();
        Path cache = dir.resolve("worker-abc.aot");
        Path mine = AotCache.trainingFile(cache);
        Files.writeString(mine, "x");
        Files.setLastModifiedTime(mine, FileTime.fromMillis(now - TimeUnit.DAYS.toMillis(30)));
        Path ofDead = dir.resolve("worker-abc.aot.tmp-" + deadOwner().text() + "-1f");
        Path configOfDead = dir.resolve(ofDead.getFileName() + ".config");
        Path oldStyleDeadPid = dir.resolve("worker-abc.aot.tmp-" + deadOwner().pid() + "-12345");
        Path oldStyleLivePid = Files.writeString(
                dir.resolve("worker-abc.aot.tmp-" + OwnerStamp.self().pid() + "-12345"), "x");

        assertThat(AotCache.isStaleLeftover(mine, now))
                .as("a live owner's, 30 days old")
                .isFalse();
        assertThat(AotCache.isStaleLeftover(ofDead, now)).isTrue();
        assertThat(AotCache.isStaleLeftover(configOfDead, now)).isTrue();
        assertThat(AotCache.isStaleLeftover(oldStyleDeadPid, now)).isTrue();
        assertThat(AotCache.isStaleLeftover(oldStyleLivePid, now))
                .as("an old name of a live pid, written now")
                .isFalse();
        assertThat(AotCache.isStaleLeftover(cache, now))
                .as("a cache is not a leftover")
                .isFalse();
    }

    /** {@return a folder in {@code base} whose path is {@code length} characters long} */
    private static Path longFolder(Path base, int length) throws IOException {
        String name =
                "long-tmpdir-" + "x".repeat(Math.max(1, length - base.toString().length() - 13));
        return Files.createDirectories(base.resolve(name));
    }

    /**
     * Issue 9 (robustness §2): no pool started when java.io.tmpdir was longer than about 45
     * characters ("Unix domain path too long"), as under /home/jenkins/workspace/proj/target/tmp.
     */
    @Test
    void aLongTmpdirFallsBackToAShortPrivateFolderWhereTheSocketBinds(@TempDir Path base) throws Exception {
        Path tmpdir = longFolder(base, 90);
        PoolFolder folder = PoolFolder.create(tmpdir, null, base);
        try {
            Path own = base.resolve("tandem-" + SocketRoom.uid());
            assertThat(folder.path().getParent()).isEqualTo(own);
            assertThat(SocketRoom.isPrivate(own, SocketRoom.uid())).isTrue();
            Path socket = folder.path().resolve(SocketRoom.SOCKET_NAME);
            assertThat(socket.toString().length()).isLessThanOrEqualTo(SocketRoom.MAX_SOCKET_PATH_BYTES);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
            }
        } finally {
            folder.delete();
        }
    }

    @Test
    void aShortRuntimeDirIsPreferredToTheTmpFallback(@TempDir Path base) throws Exception {
        Path run = Files.createDirectory(
                base.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        PoolFolder folder = PoolFolder.create(longFolder(base, 90), run.toString(), base);
        try {
            assertThat(folder.path().getParent()).isEqualTo(run);
        } finally {
            folder.delete();
        }
    }

    @Test
    void aFallbackAnotherUserCouldReadIsRefusedAndTheErrorSaysWhatToDo(@TempDir Path base) throws Exception {
        Files.createDirectory(
                base.resolve("tandem-" + SocketRoom.uid()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path tmpdir = longFolder(base, 90);
        assertThatThrownBy(() -> PoolFolder.create(tmpdir, null, base))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(tmpdir.toString())
                .hasMessageContaining("over the 107 bytes a Unix domain socket path may have")
                .hasMessageContaining("not a 0700 folder")
                .hasMessageContaining("shorter -Djava.io.tmpdir");
    }

    @Test
    void aPoolStartsWhenJavaIoTmpdirIsLong(@TempDir Path base) throws Exception {
        Path tmpdir = longFolder(base, 100);
        String out = ChildCaller.run(List.of("-Djava.io.tmpdir=" + tmpdir), NextPoolStart.class, 300);
        assertThat(out).contains("ANSWER 42");
    }
}
