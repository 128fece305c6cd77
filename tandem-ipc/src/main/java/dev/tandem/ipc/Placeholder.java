package dev.tandem.ipc;

/** Keeps the package non-empty until the primitives land. */
final class Placeholder {
    private Placeholder() {
    }
}
