package dev.tandem.protocol;

import java.io.Serial;
import java.io.Serializable;

/**
 * Stands in a serialized object graph for an array or buffer whose bytes travel through shared
 * memory: the index of its {@link BulkEntry} in the payload's table. Written by
 * {@link ObjectCodec}'s encoder in place of the value, and replaced by the rebuilt value when the
 * graph is read, so user code never sees it.
 *
 * @param index the entry's position in the table
 */
public record BulkRef(int index) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
