package dev.tandem.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class HeapRoomTest {
    /**
     * Was: sizes in error messages followed the JVM's default locale, "256,0 MiB" on a German
     * machine beside the "256.0 MiB" of every document and of the other messages.
     */
    @Test
    void sizesReadTheSameWhateverTheDefaultLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(HeapRoom.mib(256L << 20)).isEqualTo("256.0 MiB");
            assertThat(HeapRoom.mib(3L << 19)).isEqualTo("1.5 MiB");
        } finally {
            Locale.setDefault(before);
        }
    }
}
