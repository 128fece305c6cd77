package dev.tandem.protocol;

/**
 * The layout of one bulk segment's user memory (see {@link BulkWriter}): a sequence word that makes
 * every copy out of it checkable, a release word for the reader, then the data.
 *
 * <pre>
 *  0          8            16                     64
 *  +----------+------------+---------- ... -------+---------------------------+
 *  | sequence | released   | (reserved)           | data (the segment's rest) |
 *  +----------+------------+---------- ... -------+---------------------------+
 *    long       long                                 aligned to 64 bytes
 * </pre>
 *
 * <ul>
 * <li>{@code sequence}: written only by the writer, a seqlock. Odd while the writer copies data in,
 * even once the data is stable; each write adds 2 to it. A {@link BulkEntry} names the even value
 * its data had, so a reader that finds another value before or after its copy knows the data was
 * reused and fails instead of returning torn bytes.
 * <li>{@code released}: written only by the reader, the sequence it has consumed. A writer that
 * reclaims segments by their reader ({@link BulkWriter#BulkWriter(long, boolean) reclaimed}) may
 * reuse the segment once {@code released == sequence}.
 * </ul>
 * Both words are accessed with acquire/release ordering, through {@link BulkWriter} and
 * {@link BulkReader} only. Little-endian, as the machine's native order: both ends run on it.
 */
final class BulkDescriptor {
    /** Offset of the seqlock word. */
    static final long SEQUENCE_OFFSET = 0;
    /** Offset of the word the reader writes once it consumed a sequence. */
    static final long RELEASED_OFFSET = 8;
    /** Offset of the first data byte. */
    static final long DATA_OFFSET = 64;

    private BulkDescriptor() {}
}
