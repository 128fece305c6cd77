package dev.tandem;

final class ProcessTaskPool {
    static TaskPool start(PoolOptions options) {
        throw new UnsupportedOperationException("not yet");
    }
}
