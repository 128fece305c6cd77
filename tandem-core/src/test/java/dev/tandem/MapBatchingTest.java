package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.ObjectCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11: map batches travel in columns (numbers and strings without an object per element), in
 * every mode, and what comes back is exactly what the function returned, in input order: numbers
 * with nulls, strings with nulls and any characters, mixed types, empty inputs.
 */
@ExtendWith(NoStrayProcesses.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MapBatchingTest {
    private static final int N = 200_000;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#localModes")
    void numbersStringsNullsAndMixedTypesComeBackInOrder(Mode mode, Transport transport) {
        List<Integer> ints = new ArrayList<>(IntStream.range(0, N).boxed().toList());
        ints.set(17, null);
        ints.set(N - 1, null);
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            strings.add(i % 1000 == 0 ? null : i % 7 == 0 ? "" : "é€😀-" + i);
        }
        List<Object> mixed = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            mixed.add(
                    switch (i % 5) {
                        case 0 -> i;
                        case 1 -> "s" + i;
                        case 2 -> (long) i;
                        case 3 -> null;
                        default -> List.of(i);
                    });
        }
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            List<Long> longs = pool.map(x -> x == null ? null : x * 3_000_000_000L, ints);
            assertThat(longs).hasSize(N);
            assertThat(longs.get(0)).isEqualTo(0L);
            assertThat(longs.get(5)).isEqualTo(15_000_000_000L);
            assertThat(longs.get(17)).isNull();
            assertThat(longs.get(N - 1)).isNull();
            assertThat(longs.get(N - 2)).isEqualTo((N - 2) * 3_000_000_000L);

            List<Double> doubles = pool.map(x -> x == null ? Double.NaN : x / 4.0, ints);
            assertThat(doubles.get(6)).isEqualTo(1.5);
            assertThat(doubles.get(17)).isNaN();

            List<Integer> lengths = pool.map(s -> s == null ? null : s.length(), strings);
            List<String> upper = pool.map(s -> s == null ? null : s.toUpperCase(), strings);
            for (int i = 0; i < N; i += 997) {
                String s = strings.get(i);
                assertThat(upper.get(i)).isEqualTo(s == null ? null : s.toUpperCase());
                assertThat(lengths.get(i)).isEqualTo(s == null ? null : s.length());
            }
            assertThat(upper)
                    .isEqualTo(strings.stream()
                            .map(s -> s == null ? null : s.toUpperCase())
                            .toList());

            List<Object> echoed = pool.map(x -> x, mixed);
            assertThat(echoed).isEqualTo(mixed);
            List<Object> varying = pool.map(
                    x -> x % 3 == 0 ? (Object) x : x % 3 == 1 ? "t" + x : null,
                    IntStream.range(0, 500).boxed().toList());
            for (int i = 0; i < 500; i++) {
                assertThat(varying.get(i)).isEqualTo(i % 3 == 0 ? (Object) i : i % 3 == 1 ? "t" + i : null);
            }
            assertThat(pool.map(x -> null, ints.subList(0, 100))).hasSize(100).containsOnlyNulls();
            assertThat(pool.map(x -> x, List.<Integer>of())).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#localModes")
    void theOutputsAreAnUnmodifiableListEqualToWhatTheFunctionReturned(Mode mode, Transport transport) {
        List<Long> inputs = LongStream.range(0, N).boxed().toList();
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            List<Long> out = pool.map(x -> x + 1, inputs);
            List<Long> expected = LongStream.range(1, N + 1).boxed().toList();
            assertThat(out).isEqualTo(expected);
            assertThat(out.hashCode()).isEqualTo(expected.hashCode());
            assertThat(out.subList(10, 13)).containsExactly(11L, 12L, 13L);
            assertThat(out.indexOf(500L)).isEqualTo(499);
            assertThatThrownBy(() -> out.add(1L)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> out.set(0, 1L)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> out.get(N)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> out.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.tandem.PoolContractTest#isolated")
    void largeInputsAreBatchedByTheirSize(Mode mode, Transport transport) {
        List<double[]> inputs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            double[] d = new double[1 << 17]; // 1 MiB each
            Arrays.fill(d, i);
            inputs.add(d);
        }
        try (TaskPool pool = PoolContractTest.localBuilder(mode, transport).start()) {
            List<Double> firsts = pool.map(d -> d[d.length - 1], inputs);
            assertThat(firsts).hasSize(100);
            for (int i = 0; i < 100; i++) {
                assertThat(firsts.get(i)).isEqualTo((double) i);
            }
        }
    }

    @Test
    void aPackedListKeepsEveryKindThroughSerialization() throws Exception {
        Object[][] cases = {
            {1, 2, null, -4},
            {1L, null, Long.MAX_VALUE},
            {0.5, null, Double.NEGATIVE_INFINITY},
            {"a", null, "", "ü€😀"},
            {1, "mixed", 2L, null},
            {null, null},
            {}
        };
        for (Object[] items : cases) {
            byte[] bytes = ObjectCodec.encode(new PackedList(items), null);
            @SuppressWarnings("unchecked")
            List<Object> back = (List<Object>) ObjectCodec.decode(bytes, null, null);
            assertThat(back).as(Arrays.toString(items)).containsExactly(items);
        }
    }

    @Test
    void mapOutputsFindEveryElementAcrossBatches() {
        MapOutputs<Object> out = new MapOutputs<>();
        out.append(List.of(1, 2, 3));
        out.append(List.of());
        out.append(List.of(4));
        out.append(new PackedList(new Object[] {5, 6}));
        assertThat(out).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(out.get(3)).isEqualTo(4);
        assertThat(out.get(5)).isEqualTo(6);
    }
}
