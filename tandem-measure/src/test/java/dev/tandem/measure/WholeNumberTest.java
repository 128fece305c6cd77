package dev.tandem.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class WholeNumberTest {

    static final class Inputs extends WholeNumber<Integer> {
        Inputs() {
            super(Integer.class, 1, 1_000_000, "why");
        }
    }

    static final class Seed extends WholeNumber<Long> {
        Seed() {
            super(Long.class, Long.MIN_VALUE, Long.MAX_VALUE, "");
        }
    }

    static final class Port extends WholeNumber<Integer> {
        Port() {
            super(Integer.class, 1, 65535, "");
        }

        @Override
        protected String bound(long v) {
            return Long.toString(v);
        }
    }

    /** Was: "give a whole number from 1 to 1000000" beside the advisor's "from 1 to 1,000,000" for the same limit. */
    @Test
    void aRangeOfQuantitiesWasWrittenWithoutThousandsSeparators() {
        assertThat(new Inputs().range()).isEqualTo("1 to 1,000,000");
        assertThatThrownBy(() -> new Inputs().convert("0"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessage("out of range; give a whole number from 1 to 1,000,000 (why)");
        assertThat(new Seed().range())
                .isEqualTo("any whole number from -9,223,372,036,854,775,808 to 9,223,372,036,854,775,807");
    }

    @Test
    void aPortIsWrittenAsTyped() {
        assertThat(new Port().range()).isEqualTo("1 to 65535");
        assertThatThrownBy(() -> new Port().convert("many"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessage("not a whole number; give a whole number from 1 to 65535");
    }

    @Test
    void valuesInRangeConvertAsTyped() {
        assertThat(new Inputs().convert(" +1000000 ")).isEqualTo(1_000_000);
        assertThat(new Seed().convert("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> new Seed().convert("9223372036854775808"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("out of range");
    }
}
