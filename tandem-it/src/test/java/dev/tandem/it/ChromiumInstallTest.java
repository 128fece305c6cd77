package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ensure-chromium.sh, which the build runs before the lab's tests so that {@code ./mvnw -B verify}
 * needs nothing installed by hand. Chromium's absence is simulated: the script is pointed at a path
 * where it is not ({@code TANDEM_CHROMIUM}), and {@code id}, {@code sudo} and {@code apt-get} are
 * stubs first on the PATH that record how they were called; the machine is never changed.
 */
class ChromiumInstallTest {
    private static final Path SCRIPT = ChildProcess.ROOT.resolve("bin/ensure-chromium.sh");

    @TempDir
    Path tmp;

    private Path bin;
    private Path chromium;
    private Path calls;

    @BeforeEach
    void stubs() throws IOException {
        bin = Files.createDirectories(tmp.resolve("bin"));
        chromium = tmp.resolve("usr/bin/chromium");
        calls = tmp.resolve("calls.log");
        Files.createFile(calls);
    }

    private void stub(String name, String body) throws IOException {
        Path f = bin.resolve(name);
        Files.writeString(f, "#!/bin/sh\necho \"" + name + " $*\" >> " + calls + "\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** An apt-get that "installs" chromium by creating the checked path, or fails. */
    private void aptGet(boolean works) throws IOException {
        stub(
                "apt-get",
                works
                        ? "case \"$*\" in *install*) mkdir -p " + chromium.getParent() + " && printf '#!/bin/sh\\necho"
                                + " Chromium 1.0\\n' > " + chromium + " && chmod +x " + chromium + ";; esac"
                        : "echo 'E: Unable to locate package chromium' >&2; exit 100");
    }

    private void user(int uid, boolean passwordlessSudo) throws IOException {
        stub("id", "case \"$1\" in -u) echo " + uid + ";; -un) echo builder;; esac");
        stub(
                "sudo",
                passwordlessSudo
                        ? "[ \"$1\" = -n ] && shift; exec \"$@\""
                        : "echo 'sudo: a password is required' >&2; exit 1");
    }

    private ChildProcess.Result run() throws Exception {
        return ChildProcess.run(
                tmp,
                Map.of(
                        "PATH",
                        bin + ":/usr/bin:/bin",
                        "TANDEM_CHROMIUM",
                        chromium.toString(),
                        "TMPDIR",
                        tmp.toString()),
                60,
                List.of("bash", SCRIPT.toString()));
    }

    @Test
    void presentChromiumIsLeftAlone() throws Exception {
        user(1000, false);
        aptGet(true);
        Files.createDirectories(chromium.getParent());
        Files.writeString(chromium, "#!/bin/sh\n");
        Files.setPosixFilePermissions(chromium, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(run().exitCode()).isZero();
        assertThat(Files.readString(calls)).doesNotContain("apt-get");
    }

    @Test
    void asRootItInstallsDebiansChromium() throws Exception {
        user(0, false);
        aptGet(true);
        ChildProcess.Result r = run();
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("installed Chromium 1.0");
        assertThat(Files.readString(calls))
                .contains("apt-get update -qq")
                .contains("apt-get install -y -qq chromium")
                .doesNotContain("sudo apt-get");
    }

    @Test
    void withPasswordlessSudoItInstallsThroughSudo() throws Exception {
        user(1000, true);
        aptGet(true);
        ChildProcess.Result r = run();
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(Files.readString(calls))
                .contains("sudo -n apt-get update -qq")
                .contains("apt-get install");
    }

    @Test
    void withoutRootOrSudoTheBuildFailsSayingHowToInstallIt() throws Exception {
        user(1000, false);
        aptGet(true);
        ChildProcess.Result r = run();
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output())
                .contains("need Chromium at " + chromium)
                .contains("without root and without passwordless sudo")
                .contains("sudo apt-get install chromium");
        assertThat(Files.readString(calls)).doesNotContain("apt-get");
    }

    @Test
    void aFailedInstallFailsTheBuildWithAptsWords() throws Exception {
        user(0, false);
        aptGet(false);
        ChildProcess.Result r = run();
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output())
                .contains("apt-get could not install chromium")
                .contains("Unable to locate package chromium")
                .contains("sudo apt-get install chromium");
    }

    /**
     * Modules built side by side (mvn -T): the lab's and the advisor's steps may run the script at once.
     * Here both get past the check for Chromium before either goes on (their {@code id} waits for the
     * other), and apt-get fails as dpkg's lock makes the real one fail while another runs (a folder
     * only one may create; each call holds it a second): both steps succeed, and one installs.
     */
    @Test
    void twoStepsAtOnceInstallOnceAndBothSucceed() throws Exception {
        stub(
                "id",
                "case \"$1\" in -u) touch " + tmp.resolve("arrived-$$") + "; n=0; while [ \"$(ls " + tmp
                        + " | grep -c '^arrived-')\" -lt 2 ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done;"
                        + " echo 0;; -un) echo builder;; esac");
        Path dpkgLock = tmp.resolve("dpkg-lock");
        stub(
                "apt-get",
                "mkdir " + dpkgLock + " || { echo 'E: Could not get lock' >&2; exit 100; }\nsleep 1\n"
                        + "case \"$*\" in *install*) mkdir -p " + chromium.getParent() + " && printf"
                        + " '#!/bin/sh\\necho Chromium 1.0\\n' > " + chromium + " && chmod +x " + chromium + ";; esac\n"
                        + "rmdir " + dpkgLock);
        List<ChildProcess.Result> results;
        try (ExecutorService two = Executors.newFixedThreadPool(2)) { // not the common pool: it may have one thread
            Future<ChildProcess.Result> first = two.submit(this::run);
            Future<ChildProcess.Result> second = two.submit(this::run);
            results = List.of(first.get(90, TimeUnit.SECONDS), second.get(90, TimeUnit.SECONDS));
        }
        for (ChildProcess.Result r : results) {
            assertThat(r.exitCode()).as(r.output()).isZero();
        }
        assertThat(Files.readAllLines(calls))
                .as("apt-get calls")
                .filteredOn(l -> l.startsWith("apt-get install"))
                .hasSize(1);
    }
}
