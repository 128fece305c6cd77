package dev.tandem.measure;

import java.math.BigInteger;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The picocli converter of a whole-number option ({@code --inputs}, {@code --seed}, {@code --port},
 * {@code --local}): it knows the option's accepted range and names it whenever it refuses a value,
 * whether the value is not a number ({@code many}), is out of the range ({@code 0}), or is out of
 * what a Java {@code int} or {@code long} holds ({@code 99999999999999}, which picocli's own
 * converter called "not an int"). Each option declares a subclass with its range, such as
 * {@code converter = Inputs.class}; the message leaves naming the option and the value to the command
 * line's error handler, which writes {@code --inputs '0': out of range; ...}.
 *
 * <p>Stateless and thread-safe once constructed.
 *
 * @param <T> {@link Integer} or {@link Long}, the option's type
 */
public abstract class WholeNumber<T extends Number> implements ITypeConverter<T> {
    private final long min;
    private final long max;
    private final boolean isInt;
    private final String why;

    /**
     * Creates a converter of values from {@code min} to {@code max}, both included.
     *
     * @param type {@code Integer.class} or {@code Long.class}: the option's type
     * @param min the least value accepted
     * @param max the greatest value accepted
     * @param why why the range is what it is, said after it, or an empty string
     */
    protected WholeNumber(Class<T> type, long min, long max, String why) {
        if (type != Integer.class && type != Long.class) {
            throw new IllegalArgumentException("type must be Integer or Long, was " + type);
        }
        this.isInt = type == Integer.class;
        if (min > max || (isInt && (min < Integer.MIN_VALUE || max > Integer.MAX_VALUE))) {
            throw new IllegalArgumentException("not a range of " + type.getSimpleName() + ": " + min + " to " + max);
        }
        this.min = min;
        this.max = max;
        this.why = why;
    }

    /**
     * {@return the accepted range in words, each bound as {@link #bound(long)} writes it: "1 to 1,000,000",
     * "at least 1" when there is no upper bound but the type's, or "any whole number from
     * -9,223,372,036,854,775,808 to 9,223,372,036,854,775,807"}
     */
    public String range() {
        long typeMax = isInt ? Integer.MAX_VALUE : Long.MAX_VALUE;
        long typeMin = isInt ? Integer.MIN_VALUE : Long.MIN_VALUE;
        if (min == typeMin && max == typeMax) {
            return "any whole number from " + bound(min) + " to " + bound(max);
        }
        return max == typeMax ? "at least " + bound(min) : bound(min) + " to " + bound(max);
    }

    /**
     * {@return a bound of the range as a message writes it: a quantity with its thousands grouped, {@code 1,000,000}
     * (was {@code 1000000}, beside the advisor's {@code 1,000,000} for the same limit)} A subclass whose values are
     * names rather than quantities, such as a port, writes them as typed.
     *
     * @param v the bound
     */
    protected String bound(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    @Override
    public T convert(String value) {
        String typed = value.strip();
        BigInteger n;
        try {
            n = new BigInteger(typed.startsWith("+") ? typed.substring(1) : typed);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("not a whole number; give " + give());
        }
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new TypeConversionException("out of range; give " + give());
        }
        @SuppressWarnings("unchecked")
        T t = (T) (isInt ? (Object) n.intValueExact() : (Object) n.longValueExact());
        return t;
    }

    private String give() {
        String r = range();
        String words = r.startsWith("any ") ? r : "a whole number " + (r.startsWith("at ") ? r : "from " + r);
        return words + (why.isEmpty() ? "" : " (" + why + ")");
    }
}
