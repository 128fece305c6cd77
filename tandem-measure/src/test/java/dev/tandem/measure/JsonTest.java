package dev.tandem.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.Test;

class JsonTest {
    record Run(int cores) {}

    /** Was: a malformed compare file's message held Jackson's "[Source: ...]" and its reference chain. */
    @Test
    void aMalformedFilesMessageHeldJacksonsSourceAndReferenceChain() {
        JsonProcessingException truncated =
                catchThrowableOfType(JsonProcessingException.class, () -> Json.MAPPER.readTree("{\"schema\": [1, 2]"));
        assertThat(Json.problem(truncated))
                .startsWith("Unexpected end-of-input")
                .endsWith("at line 1, column 18")
                .doesNotContain("[Source", "start marker", "\n");
        JsonProcessingException wrongType = catchThrowableOfType(
                JsonProcessingException.class, () -> Json.MAPPER.readValue("{\"cores\": \"two\"}", Run.class));
        assertThat(wrongType.getMessage()).contains("[Source");
        assertThat(Json.problem(wrongType))
                .contains("Cannot deserialize value of type `int`")
                .doesNotContain("[Source", "reference chain", "\n");
    }
}
