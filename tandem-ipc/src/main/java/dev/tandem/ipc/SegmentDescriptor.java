package dev.tandem.ipc;

/**
 * The header that starts every segment of this package, before the kind-specific layout.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Layout version (int)                       |  0  written last, release
 *  +---------------------------------------------------------------+
 *  |                    Kind magic (int)                           |  4
 *  +---------------------------------------------------------------+
 *  |                    Segment size in bytes (long)               |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Creator identity (long)                    | 16  startHash &lt;&lt; 32 | pid
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Owner identity (long)                      | 24  who deletes it; release
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Reserved to byte 64                        | 32
 *  +---------------------------------------------------------------+
 *  |                    Kind-specific layout ...                   | 64
 * </pre>
 *
 * <p><b>Publication.</b> The creator writes every other byte of the segment first and the version
 * last with release semantics; an attacher reads it with acquire and refuses a segment whose
 * version is 0 (not yet initialised) or differs from the version it knows (a different build).
 * Each kind's descriptor owns its version number ({@code VERSION}).
 *
 * <p><b>Ownership.</b> The owner is the process that deletes the segment: its creator, until a
 * Tandem pool hands an array a worker created over to the caller, which then writes its own
 * identity there (release). The sweep keeps a file whose creator is dead while its owner lives.
 */
final class SegmentDescriptor {
    /** The layout version of the kind; first field, written last. */
    static final long VERSION_OFFSET = 0;
    /** {@link Kind#magic}. */
    static final long KIND_OFFSET = 4;
    /** The whole segment's size, header included. */
    static final long SIZE_OFFSET = 8;
    /** {@link ProcessIdentity} of the creating process. */
    static final long CREATOR_OFFSET = 16;
    /** {@link ProcessIdentity} of the process that deletes the segment; the creator's at first. */
    static final long OWNER_OFFSET = 24;
    /** The header's length; kind layouts start here. */
    static final long LENGTH = 64;

    /** The unit of isolation for hot words: two 64-byte lines, as adjacent-line prefetch pairs them. */
    static final long CACHE_LINE_PAIR = 128;
    /** A cache line. */
    static final long CACHE_LINE = 64;

    private SegmentDescriptor() {}
}
