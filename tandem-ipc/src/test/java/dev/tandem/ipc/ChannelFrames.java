package dev.tandem.ipc;

/** Numbered frames of varying sizes (0 bytes to several ring lengths) with checkable content. */
final class ChannelFrames {
    private ChannelFrames() {}

    static int size(int i) {
        return switch (i % 7) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 13;
            case 3 -> 1000;
            case 4 -> 4093;
            case 5 -> 20_000 + i % 1000;
            default -> i % 50 == 6 ? 300_000 : 64;
        };
    }

    static byte[] frame(int i) {
        byte[] frame = new byte[size(i)];
        for (int k = 0; k < frame.length; k++) {
            frame[k] = (byte) (i * 31 + k);
        }
        return frame;
    }

    static void check(int i, byte[] frame) {
        if (frame == null) {
            throw new AssertionError("frame " + i + " did not arrive in time");
        }
        if (frame.length != size(i)) {
            throw new AssertionError("frame " + i + " has " + frame.length + " bytes, expected " + size(i));
        }
        for (int k = 0; k < frame.length; k++) {
            if (frame[k] != (byte) (i * 31 + k)) {
                throw new AssertionError("frame " + i + " byte " + k + " is " + frame[k]);
            }
        }
    }
}
