package evil;

/** An exception class from a package the caller never sent to a worker. */
public final class EvilException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message the message */
    public EvilException(String message) {
        super(message);
    }
}
