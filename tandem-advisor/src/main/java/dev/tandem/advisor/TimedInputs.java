package dev.tandem.advisor;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;

/**
 * The inputs of a map window: the first {@code n} (cycling through {@code inputs}) until {@code deadline}.
 * The deadline ends them at {@link #hasNext()} only: a {@code next()} after a {@code hasNext()} that said
 * true returns, however late it comes (on a busy machine it came after the deadline, and {@code map}
 * failed the trial with this iterator's {@code NoSuchElementException}). Not thread-safe, as map reads
 * its inputs from one thread.
 */
final class TimedInputs implements Iterator<Object> {
    private final List<Object> inputs;
    private final long n;
    private final long deadline;
    private final LongSupplier clock;
    private long yielded;

    TimedInputs(List<Object> inputs, long n, long deadline, LongSupplier clock) {
        this.inputs = inputs;
        this.n = n;
        this.deadline = deadline;
        this.clock = clock;
    }

    @Override
    public boolean hasNext() {
        return yielded < n && clock.getAsLong() < deadline;
    }

    @Override
    public Object next() {
        if (yielded >= n) {
            throw new NoSuchElementException("all " + n + " inputs were given");
        }
        return inputs.get((int) (yielded++ % inputs.size()));
    }
}
