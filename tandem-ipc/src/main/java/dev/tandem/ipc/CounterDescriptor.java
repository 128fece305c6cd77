package dev.tandem.ipc;

/**
 * The layout of a {@link SharedCounter}: one 64-bit value alone on a cache-line pair, so that the
 * processes hammering it never false-share with the header.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (SegmentDescriptor)                    |   0
 *  +---------------------------------------------------------------+
 *  |                 Padding to byte 128                           |  64
 *  +---------------------------------------------------------------+
 *  |                 Value (long)                                  | 128  hot
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Padding to byte 256                           | 136
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class CounterDescriptor {
    static final int VERSION = 1;
    static final long VALUE_OFFSET = SegmentDescriptor.CACHE_LINE_PAIR;
    static final long SIZE = VALUE_OFFSET + SegmentDescriptor.CACHE_LINE_PAIR;

    private CounterDescriptor() {}
}
