/** A record in a second source file. */
public record Other(long pid, int value) implements java.io.Serializable {}
