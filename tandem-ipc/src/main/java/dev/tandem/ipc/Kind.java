package dev.tandem.ipc;

/**
 * What a segment holds: checked on attach, so that a handle to a queue cannot be attached as a lock.
 * The magic is stored in every segment's header ({@link SegmentDescriptor#KIND_OFFSET}); the name
 * is the first part of the segment's file name and {@link SegmentHandle#kind()}.
 */
enum Kind {
    RAW("raw", 0x54524157),
    LONG_ARRAY("longs", 0x544C4E47),
    DOUBLE_ARRAY("doubles", 0x5444424C),
    BYTE_ARRAY("bytes", 0x54425954),
    COUNTER("counter", 0x54434E54),
    QUEUE("queue", 0x54515545),
    SEMAPHORE("semaphore", 0x5453454D),
    LOCK("lock", 0x544C434B),
    CHANNEL("channel", 0x5443484E);

    final String fileName;
    final int magic;

    Kind(String fileName, int magic) {
        this.fileName = fileName;
        this.magic = magic;
    }

    static Kind named(String name) {
        for (Kind kind : values()) {
            if (kind.fileName.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown segment kind " + name);
    }
}
