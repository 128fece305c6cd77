package dev.tandem;

import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.FrameWriter;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * A worker's control channel over its Unix domain socket. The reader thread is the only reader.
 *
 * @param channel the connected socket
 * @param reader the reader of frames; used only by the reader thread
 * @param writer the writer of frames
 */
record SocketLink(SocketChannel channel, FrameReader reader, FrameWriter writer) implements WorkerLink {
    @Override
    public void readLoop(ReplyReading.FrameHandler handler) throws IOException {
        while (reader.next()) {
            handler.handle(reader.type(), reader.taskId(), reader.payload());
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
