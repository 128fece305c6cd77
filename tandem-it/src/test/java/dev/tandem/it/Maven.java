package dev.tandem.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maven commands for the tests that build a project of their own: this repository's {@code ./mvnw},
 * offline, resolving Tandem's artifacts from the throwaway repository that invoker:install filled
 * ({@code target/consumer-repo}) and everything else, read-only, from the user's local repository
 * (Maven 3.9's {@code maven.repo.local.tail}), so nothing is written to {@code ~/.m2}. Plugin versions
 * are the ones this build uses, so offline resolution finds them.
 */
final class Maven {
    static final Path CONSUMER_REPO = ChildProcess.TARGET.resolve("consumer-repo");
    static final Path USER_REPO = Path.of(System.getProperty(
            "tandem.it.m2",
            Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));

    /**
     * The environment of a Maven command: its own JVM compiles with C1 alone ({@code MAVEN_OPTS}, after any
     * the build was given). It lives seconds; without C2 the consumer build took 0.55x the time (2 runs each,
     * load 20). The JVMs it forks (surefire, worker JVMs) keep their defaults; an application that
     * {@code exec:java} runs in Maven's JVM is compiled alike, which changes nothing its test checks.
     */
    static final Map<String, String> ENV =
            Map.of("MAVEN_OPTS", (System.getenv().getOrDefault("MAVEN_OPTS", "") + " -XX:TieredStopAtLevel=1").strip());

    private Maven() {}

    /** {@return the version of a plugin this build uses: compiler, resources, jar, surefire, exec, install} */
    static String plugin(String name) {
        Map<String, String> versions = new HashMap<>();
        for (String pair : System.getProperty("tandem.it.plugins", "").split(",")) {
            String[] kv = pair.split("=");
            if (kv.length == 2) {
                versions.put(kv[0].strip(), kv[1].strip());
            }
        }
        String v = versions.get(name);
        if (v == null) {
            throw new IllegalStateException("no version for plugin " + name + " in tandem.it.plugins " + versions);
        }
        return v;
    }

    static List<String> command(Path project, String... goals) {
        List<String> cmd = new ArrayList<>(List.of(
                ChildProcess.ROOT.resolve("mvnw").toString(),
                "-B",
                "-o",
                "-f",
                project.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + CONSUMER_REPO,
                "-Dmaven.repo.local.tail=" + USER_REPO));
        cmd.addAll(List.of(goals));
        return cmd;
    }
}
