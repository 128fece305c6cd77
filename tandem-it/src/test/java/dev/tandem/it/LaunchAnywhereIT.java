package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application of this module, launched every way Java launches programs; each launch must run
 * its task in a worker JVM (a pid other than the caller's). The jars were built by this module's
 * pom: the plain jar and {@code target/lib}, the Spring Boot jar ({@code -boot}), the uber jar
 * ({@code -uber}).
 *
 * <p>Gradle's {@code run} is not launched here: no Gradle that runs on Java 25 can be had on these
 * machines (Debian ships Gradle 4.4, and Gradle's distributions are on none of the registries they
 * reach). It starts {@code java -cp <jars and build/classes folders> Main}, with an argument file
 * when the command line is long, or {@code --module-path} for a modular application: the rows
 * {@link #classPathOfJars}, {@link #classPathOfClassFoldersAndJarsAsGradleRunGivesIt}, {@link #argumentFileWithAClassPathLongerThanOneArgumentMayBe} and
 * {@link #modulePathFolderOfJars} cover those shapes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LaunchAnywhereIT {
    static final String MAIN = "dev.tandem.it.app.Main";

    @TempDir
    Path tmp;

    private Path appJar;
    private List<Path> libs;

    @BeforeAll
    void findTheBuiltApplication() throws IOException {
        appJar = ChildProcess.TARGET.resolve("tandem-it-" + ChildProcess.VERSION + ".jar");
        assertThat(appJar).as("built by this module's package phase").isRegularFile();
        try (Stream<Path> s = Files.list(ChildProcess.TARGET.resolve("lib"))) {
            libs = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        assertThat(libs).extracting(p -> p.getFileName().toString()).anyMatch(n -> n.startsWith("tandem-worker"));
    }

    private String classPath(List<Path> entries) {
        return String.join(":", entries.stream().map(Path::toString).toList());
    }

    private List<Path> appAndLibs() {
        List<Path> cp = new ArrayList<>();
        cp.add(appJar);
        cp.addAll(libs);
        return cp;
    }

    private ChildProcess.Result java(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildProcess.tool("java"));
        cmd.addAll(List.of(args));
        return ChildProcess.run(tmp, cmd);
    }

    @Test
    void classPathOfJars() throws Exception {
        java("-cp", classPath(appAndLibs()), MAIN).ranInAWorker();
    }

    @Test
    void classPathOfClassFoldersAndJarsAsGradleRunGivesIt() throws Exception {
        // Gradle's run: java -cp build/classes/java/main:build/resources/main:<dependency jars> Main
        Path classes = tmp.resolve("build/classes/java/main");
        ChildProcess.copyTree(ChildProcess.TARGET.resolve("classes"), classes);
        Path resources = Files.createDirectories(tmp.resolve("build/resources/main"));
        List<Path> cp = new ArrayList<>(List.of(classes, resources));
        cp.addAll(libs);
        java("-cp", classPath(cp), MAIN).ranInAWorker();
    }

    @Test
    void classPathOverTheSharedMemoryTransport() throws Exception {
        java("--enable-native-access=ALL-UNNAMED", "-cp", classPath(appAndLibs()), MAIN, "shm")
                .ranInAWorker();
    }

    @Test
    void springBootExecutableJarWithNestedJars() throws Exception {
        Path boot = ChildProcess.TARGET.resolve("tandem-it-" + ChildProcess.VERSION + "-boot.jar");
        java("-jar", boot.toString()).ranInAWorker();
    }

    @Test
    void uberJar() throws Exception {
        Path uber = ChildProcess.TARGET.resolve("tandem-it-" + ChildProcess.VERSION + "-uber.jar");
        java("-jar", uber.toString()).ranInAWorker();
    }

    @Test
    void thinJarWhoseManifestClassPathNamesItsLibraries() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("thin"));
        Path lib = Files.createDirectories(dir.resolve("lib"));
        List<String> names = new ArrayList<>();
        for (Path l : libs) {
            Files.copy(l, lib.resolve(l.getFileName()));
            names.add("lib/" + l.getFileName());
        }
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, MAIN);
        mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", names));
        Path thin = dir.resolve("app.jar");
        copyClasses(thin, mf);
        java("-jar", thin.toString()).ranInAWorker();
    }

    @Test
    void modulePathFolderOfJars() throws Exception {
        Path mods = Files.createDirectories(tmp.resolve("mods"));
        for (Path p : appAndLibs()) {
            Files.copy(p, mods.resolve(p.getFileName()));
        }
        java("-p", mods.toString(), "-m", "app/" + MAIN).ranInAWorker();
    }

    @Test
    void explodedModuleInAModulePathFolder() throws Exception {
        Path exploded = Files.createDirectories(tmp.resolve("exploded"));
        ChildProcess.copyTree(ChildProcess.TARGET.resolve("classes"), exploded.resolve("app"));
        Path libDir = ChildProcess.TARGET.resolve("lib");
        java("-p", exploded + ":" + libDir, "-m", "app/" + MAIN).ranInAWorker();
    }

    @Test
    void argumentFileWithAClassPathLongerThanOneArgumentMayBe() throws Exception {
        // As IDEs launch programs with long class paths: java @argfile. Linux takes at most 128 KiB
        // in one argument, so the worker cannot be given this class path on its command line.
        List<Path> cp = new ArrayList<>();
        Path pad = Files.createDirectories(tmp.resolve("padding"));
        for (int i = 0; i < 2_500; i++) {
            cp.add(Files.createDirectory(pad.resolve(String.format("folder-%05d-of-a-long-ide-class-path", i))));
        }
        cp.addAll(appAndLibs());
        String joined = classPath(cp);
        assertThat(joined.length()).isGreaterThan(128 * 1024);
        Path args = tmp.resolve("java.args");
        Files.writeString(args, "-cp \"" + joined + "\"\n" + MAIN + "\n");
        java("@" + args).ranInAWorker();
    }

    @Test
    void singleFileSourceLauncher() throws Exception {
        Path job = tmp.resolve("Job.java");
        try (InputStream in = LaunchAnywhereIT.class.getResourceAsStream("/launch/Job.java")) {
            Files.copy(in, job);
        }
        java("-cp", classPath(libs), job.toString()).ranInAWorker();
    }

    @Test
    void jshellScript() throws Exception {
        jshell("job.jsh").ranInAWorker();
    }

    @Test
    void jshellWithLocalExecutionWhichLacksTheModuleJdkNet() throws Exception {
        // jshell --execution local runs snippets in jshell's own JVM, whose boot layer has no jdk.net:
        // the control socket's peer-credential check used to kill its acceptor thread (issue 12).
        jshell("job.jsh", "--execution", "local").ranInAWorker();
    }

    /** Runs a script of the test resources' {@code launch} folder with jshell and Tandem's jars. */
    private ChildProcess.Result jshell(String script, String... options) throws Exception {
        Path copy = tmp.resolve(script);
        try (InputStream in = LaunchAnywhereIT.class.getResourceAsStream("/launch/" + script)) {
            Files.copy(in, copy);
        }
        List<String> cmd = new ArrayList<>(List.of(ChildProcess.tool("jshell")));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("--class-path", classPath(libs), copy.toString()));
        return ChildProcess.run(tmp, cmd);
    }

    @Test
    void limitedModulesWithoutJdkNet() throws Exception {
        // Issue 12: without jdk.net every launch waited out workerStartTimeout (30 s), then blamed a
        // slow machine. The pool now works without the peer-credential check (see ControlSocket).
        java("--limit-modules", "java.se,jdk.jfr,jdk.management", "-cp", classPath(appAndLibs()), MAIN)
                .ranInAWorker();
    }

    @Test
    void jshellTopLevelVariablesAndRedefinitionsReachWorkersOrAreRefused() throws Exception {
        // Issue 12: a task read jshell's top-level variables as 0 or null, and a redefined method kept
        // its old body in a live pool.
        ChildProcess.Result r = jshell("variables.jsh");
        assertThat(r.output())
                .as("output of %s", r.command())
                .contains("tandem-k 20\n")
                .contains("tandem-greeting hello!\n")
                .contains("tandem-list 3\n")
                .contains("tandem-f 2\n")
                .containsPattern("tandem-redefined-method refused .*defines f\\b.* has changed since this pool's"
                        + " workers got its bytes.*Start a new pool")
                .containsPattern("tandem-changed-var refused .*the jshell variable k has changed since this pool's"
                        + " workers got its value.*int k2 = k;")
                .contains("tandem-local ran 40\n")
                .containsPattern("tandem-redefined-var refused .*defines greeting\\b.* has changed since")
                .doesNotContain("tandem-redefined-var ran 6")
                .contains("tandem-fresh 120bonjour\n");
    }

    @Test
    void multiFileSourceLauncherWhoseOtherFileTheCallerNeverLoaded() throws Exception {
        // JEP 458: java Main.java compiles Other.java only when Other is first loaded; the worker used
        // to fail with NoClassDefFoundError: Other (issue 12).
        Path dir = Files.createDirectories(tmp.resolve("multi"));
        for (String file : List.of("Main.java", "Other.java")) {
            try (InputStream in = LaunchAnywhereIT.class.getResourceAsStream("/launch/multi/" + file)) {
                Files.copy(in, dir.resolve(file));
            }
        }
        java("-cp", classPath(libs), dir.resolve("Main.java").toString()).ranInAWorker();
    }

    @Test
    void mavenExecJava() throws Exception {
        // exec:java runs the application in Maven's own JVM, in a class loader of its dependencies:
        // java.class.path is Maven's launcher, not the application's.
        Path project = Files.createDirectories(tmp.resolve("exec"));
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>exec-launch</artifactId>
                  <version>1</version>
                  <dependencies>
                    <dependency><groupId>dev.tandem</groupId><artifactId>tandem-it</artifactId><version>%s</version></dependency>
                  </dependencies>
                </project>
                """.formatted(ChildProcess.VERSION));
        ChildProcess.run(
                        project,
                        Maven.ENV,
                        240,
                        Maven.command(
                                project,
                                "org.codehaus.mojo:exec-maven-plugin:" + Maven.plugin("exec") + ":java",
                                "-Dexec.mainClass=" + MAIN))
                .ranInAWorker();
    }

    @Test
    void aWorkerThatCannotStartSaysWhyAndWhatToDo() throws Exception {
        List<Path> withoutWorker = new ArrayList<>(appAndLibs());
        withoutWorker.removeIf(p -> p.getFileName().toString().startsWith("tandem-worker"));
        ChildProcess.Result r = java("-cp", classPath(withoutWorker), MAIN);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output())
                .contains("WorkerStartException")
                .contains("dev.tandem.worker.WorkerMain")
                .contains("Depend on dev.tandem:tandem-worker")
                .contains("classPath(");
    }

    private static void copyClasses(Path jar, Manifest mf) throws IOException {
        Path classes = ChildProcess.TARGET.resolve("classes");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(out, mf);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = classes.relativize(f).toString();
                if (name.equals("module-info.class")) {
                    continue;
                }
                j.putNextEntry(new JarEntry(name));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
    }
}
