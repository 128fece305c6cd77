package dev.tandem.advisor;

/**
 * An answer of the questionnaire outside what its question takes: the message is the form expected ("a
 * percentage from 0 to 100"), where the message of any other {@link IllegalArgumentException} states the
 * problem itself ("'30' has no unit; write it like 30ms or 30s"), so that a re-ask states it once.
 */
final class Expected extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Expected(String form) {
        super(form);
    }
}
