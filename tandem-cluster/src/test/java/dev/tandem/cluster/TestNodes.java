package dev.tandem.cluster;

import dev.tandem.Tandem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Node JVMs a test class starts once and shares between its tests (as {@code localCluster(n)}
 * starts them, with the same code), with a random cluster name and a random secret in a file only
 * the owner can read. Callers reach them with {@code Tandem.cluster(seeds()).clusterName(name())
 * .secretFile(secretFile())}.
 */
public final class TestNodes implements AutoCloseable {
    private final LocalNodes nodes;
    private final String name;
    private final Path secretFile;

    private TestNodes(LocalNodes nodes, String name, Path secretFile) {
        this.nodes = nodes;
        this.name = name;
        this.secretFile = secretFile;
    }

    /**
     * Starts {@code n} nodes that cache shipped class paths in {@code cache}.
     *
     * @param n how many
     * @param cache their class-path cache
     * @return the nodes, ready
     */
    public static TestNodes start(int n, Path cache) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = HexFormat.of().formatHex(random);
        Path file = Files.createTempFile(
                "tandem-test-secret",
                ".key",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret + "\n", StandardCharsets.US_ASCII);
        String name = "tandem-test-" + HexFormat.of().formatHex(random, 0, 6);
        LocalNodes nodes = LocalNodes.start(n, name, secret, TimeUnit.SECONDS.toNanos(90), cache, true);
        return new TestNodes(nodes, name, file);
    }

    /**
     * {@return a builder of a caller of these nodes: their seeds, name and secret, both nodes, one
     * worker JVM of one thread on each}
     */
    public Tandem.Builder caller() {
        return Tandem.cluster(seeds())
                .clusterName(name)
                .secretFile(secretFile)
                .minNodes(nodes.children().size())
                .perNode(1, 1);
    }

    public String[] seeds() {
        return nodes.addresses().toArray(String[]::new);
    }

    public String name() {
        return name;
    }

    public Path secretFile() {
        return secretFile;
    }

    /** {@return the node JVMs' process ids} */
    public List<Long> pids() {
        return nodes.children().stream().map(c -> c.process.pid()).toList();
    }

    /** {@return the node JVMs' processes, by index from 0} */
    public List<Process> processes() {
        return nodes.children().stream().map(c -> c.process).toList();
    }

    /** {@return the last lines of each node's output} */
    public String tails() {
        return nodes.tails();
    }

    @Override
    public void close() throws IOException {
        nodes.close();
        Files.deleteIfExists(secretFile);
    }
}
