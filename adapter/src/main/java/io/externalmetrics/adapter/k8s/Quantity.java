package io.externalmetrics.adapter.k8s;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * A Kubernetes resource quantity ({@code 1500m}, {@code 2Gi}, {@code 1e3}), parsed and printed as Go's
 * {@code k8s.io/apimachinery/pkg/api/resource.Quantity} does, so the HPA reads exactly the number we mean.
 *
 * <p>The adapter writes values with {@link #format(double)}; {@link #parse(String)} reads quantities
 * written by people (configuration) and lets tests check what Go would make of our output.
 */
public final class Quantity {

    /** How a quantity is printed, as Go's {@code resource.Format}. */
    public enum Format {
        /** Powers of 1000: {@code n u m "" k M G T P E}. */
        DECIMAL_SI,
        /** Powers of 1024: {@code Ki Mi Gi Ti Pi Ei}. */
        BINARY_SI,
        /** {@code e} notation with an exponent that is a multiple of 3: {@code 1e3}, {@code 500e-3}. */
        DECIMAL_EXPONENT
    }

    /** Longer inputs are rejected: no real quantity comes close, and the work stays bounded. */
    static final int MAX_LENGTH = 1000;

    private static final String FORMAT_WRONG =
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    private static final String NUMERIC = "unable to parse numeric part of quantity";
    private static final String SUFFIX = "unable to parse quantity's suffix";
    private static final String SUFFIX_CHARS = "eEinumkKMGTP";
    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private static final BigDecimal NANO = BigDecimal.ONE.movePointLeft(9);
    private static final BigDecimal MAX_BINARY = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final BigDecimal BINARY_UNIT = BigDecimal.valueOf(1024);

    private final BigDecimal value;
    private final Format format;
    private final String canonical;

    private Quantity(BigDecimal value, Format format) {
        this.value = value.signum() == 0 ? BigDecimal.ZERO : value;
        this.format = format;
        this.canonical = print(this.value, format);
    }

    /**
     * Parses {@code s} as Go's {@code resource.ParseQuantity} does: same accepted strings, same value
     * (rounded up to the nano, binary values capped at 2^63-1) and same format.
     *
     * @throws IllegalArgumentException for every string Go rejects, and for strings over 1000 characters
     */
    public static Quantity parse(String s) {
        Objects.requireNonNull(s, "s");
        if (s.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("invalid quantity: " + s.length()
                    + " characters long, more than the " + MAX_LENGTH + " allowed");
        }
        if (s.isEmpty()) {
            throw invalid(s, FORMAT_WRONG);
        }
        // The number: [sign] digits [. digits], then the suffix, as Go's parseQuantityString.
        int end = s.length();
        int pos = 0;
        boolean negative = s.charAt(0) == '-';
        if (negative || s.charAt(0) == '+') {
            pos++;
        }
        int zeroesStart = pos;
        while (pos < end && s.charAt(pos) == '0') {
            pos++;
        }
        if (pos == end) { // only a sign and zeroes ("-", "+00"): Go's shortcut to zero, no suffix
            return new Quantity(BigDecimal.ZERO, Format.DECIMAL_SI);
        }
        int numStart = pos;
        pos = skipDigits(s, pos);
        String num = s.substring(numStart, pos);
        String denom = "";
        if (pos < end && s.charAt(pos) == '.') {
            int denomStart = ++pos;
            pos = skipDigits(s, pos);
            denom = s.substring(denomStart, pos);
        }
        boolean anyDigit = numStart > zeroesStart || !num.isEmpty() || !denom.isEmpty();
        if (num.isEmpty()) {
            num = "0";
        }
        int suffixStart = pos;
        while (pos < end && SUFFIX_CHARS.indexOf(s.charAt(pos)) >= 0) {
            pos++;
        }
        if (pos < end && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) {
            pos++;
        }
        if (skipDigits(s, pos) < end) {
            throw invalid(s, FORMAT_WRONG);
        }
        String suffix = s.substring(suffixStart);

        int exponent;
        Format format;
        if (decimalExponent(suffix) != Integer.MIN_VALUE) {
            exponent = decimalExponent(suffix);
            format = Format.DECIMAL_SI;
        } else if (binaryExponent(suffix) >= 0) {
            exponent = binaryExponent(suffix);
            format = Format.BINARY_SI;
        } else if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
            // Go parses the exponent as an int64 and then truncates it to int32 ("1e4294967296" is 1).
            exponent = (int) GoText.parseInt64(suffix.substring(1))
                    .orElseThrow(() -> invalid(s, SUFFIX));
            format = Format.DECIMAL_EXPONENT;
        } else {
            throw invalid(s, SUFFIX);
        }

        BigInteger digits = new BigInteger(num + denom);
        BigDecimal amount;
        boolean fastPath;
        if (format == Format.BINARY_SI) {
            fastPath = denom.isEmpty() && 15 - num.length() - exponent * 3 / 10 - 1 >= 0;
            amount = new BigDecimal(digits, denom.length())
                    .multiply(new BigDecimal(BigInteger.ONE.shiftLeft(exponent)));
        } else {
            // int arithmetic on purpose: Go's scale is an int32 and wraps the same way.
            int scale = exponent - denom.length();
            fastPath = 18 - (num.length() + denom.length()) >= 0 && scale >= -9;
            amount = new BigDecimal(digits, -scale);
        }
        // Go's slow path re-reads the text before the suffix and fails when it holds no digit
        // ("Ei", "e-10"); its int64 fast path never looks at it ("Ki", "e3" are zero).
        if (!anyDigit && !fastPath) {
            throw invalid(s, NUMERIC);
        }
        amount = roundUpToNano(amount);
        if (format == Format.BINARY_SI) {
            if (amount.compareTo(MAX_BINARY) > 0) {
                amount = MAX_BINARY;
            }
            if (amount.signum() > 0 && amount.compareTo(BigDecimal.ONE) < 0) {
                format = Format.DECIMAL_SI;
            }
        }
        return new Quantity(negative ? amount.negate() : amount, format);
    }

    /**
     * What the adapter writes for a provider's number: the shortest decimal that round-trips to
     * {@code v} ({@link Double#toString(double)}), printed canonically as with {@link #format(BigDecimal)}.
     * {@code 1.5} is {@code 1500m}, {@code 2000} is {@code 2k}, {@code 1e-10} is {@code 1n}, {@code -0.0} is {@code 0}.
     *
     * @throws IllegalArgumentException for NaN and infinities, which are not quantities
     */
    public static String format(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("not a finite number: " + v);
        }
        return format(new BigDecimal(Double.toString(v)));
    }

    /**
     * {@code v} rounded up to the nano and printed as a canonical decimal SI quantity, as Go prints it;
     * from 1e21 up where Go's decimal SI output would lose the magnitude (Go prints 1e22 as {@code 10}),
     * the exponent form Go reads back as the same value ({@code 10e21}).
     *
     * @throws IllegalArgumentException when {@code v} is beyond 10^2147483647, which Go cannot represent
     */
    public static String format(BigDecimal v) {
        Objects.requireNonNull(v, "v");
        BigDecimal rounded = roundUpToNano(v);
        if (rounded.signum() != 0 && (long) rounded.precision() - 1 - rounded.scale() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too large for a Kubernetes quantity: 1e"
                    + ((long) rounded.precision() - 1 - rounded.scale()));
        }
        return print(rounded, Format.DECIMAL_SI);
    }

    /** The exact value Go holds after parsing (rounded up to the nano, binary capped at 2^63-1). */
    public BigDecimal value() {
        return value;
    }

    /** The format Go keeps from the suffix (binary values below 1 become decimal SI, as in Go). */
    public Format format() {
        return format;
    }

    /**
     * Go's canonical {@code String()} for this value and format ({@code 1500m}, {@code 1Gi}, {@code 1e3}):
     * what Go prints when it has not cached the input text. One deliberate difference: decimal SI values
     * whose canonical exponent is above 18 print in exponent form ({@code 1e21}), because Go drops the
     * missing suffix there and prints {@code 1}, a different number.
     */
    public String canonical() {
        return canonical;
    }

    /** The {@link #canonical()} form. */
    @Override
    public String toString() {
        return canonical;
    }

    /** Same value and format (hence the same canonical text). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && q.format == format && q.canonical.equals(canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    private static int skipDigits(String s, int pos) {
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        return pos;
    }

    /** Power of 1024 (times 10) of a binary suffix, or -1. */
    private static int binaryExponent(String suffix) {
        return switch (suffix) {
            case "Ki" -> 10;
            case "Mi" -> 20;
            case "Gi" -> 30;
            case "Ti" -> 40;
            case "Pi" -> 50;
            case "Ei" -> 60;
            default -> -1;
        };
    }

    /** Power of ten of a decimal SI suffix, or {@link Integer#MIN_VALUE}. */
    private static int decimalExponent(String suffix) {
        return switch (suffix) {
            case "n" -> -9;
            case "u" -> -6;
            case "m" -> -3;
            case "" -> 0;
            case "k" -> 3;
            case "M" -> 6;
            case "G" -> 9;
            case "T" -> 12;
            case "P" -> 15;
            case "E" -> 18;
            default -> Integer.MIN_VALUE;
        };
    }

    private static String decimalSuffix(int exponent) {
        return switch (exponent) {
            case -9 -> "n";
            case -6 -> "u";
            case -3 -> "m";
            case 0 -> "";
            case 3 -> "k";
            case 6 -> "M";
            case 9 -> "G";
            case 12 -> "T";
            case 15 -> "P";
            case 18 -> "E";
            default -> null;
        };
    }

    /** Go rounds a non-zero magnitude up to the next nano, so that asking for a little gives a little. */
    private static BigDecimal roundUpToNano(BigDecimal v) {
        if (v.scale() <= 9 || v.signum() == 0) {
            return v;
        }
        // Below 1n the answer is 1n: skip setScale, which would divide by 10^scale (huge for 1e-999999999).
        if ((long) v.precision() - v.scale() <= -9) {
            return v.signum() > 0 ? NANO : NANO.negate();
        }
        return v.setScale(9, RoundingMode.UP);
    }

    /** Go's {@code Quantity.CanonicalizeBytes}, for a value already rounded to the nano. */
    private static String print(BigDecimal v, Format format) {
        if (v.signum() == 0) {
            return "0";
        }
        if (format == Format.BINARY_SI) {
            // Small or fractional binary values print in decimal SI, as in Go ("512", "1126400m").
            boolean integral = v.stripTrailingZeros().scale() <= 0;
            if (v.abs().compareTo(BINARY_UNIT) < 0 || !integral) {
                format = Format.DECIMAL_SI;
            } else {
                long n = v.longValueExact();
                int power = 0;
                while (n % 1024 == 0) {
                    n /= 1024;
                    power++;
                }
                return n + BINARY_SUFFIXES[power];
            }
        }
        // Move every factor of ten into the exponent, then make the exponent a multiple of 3.
        // int arithmetic on purpose: Go's exponent is an int32 and wraps the same way for absurd
        // exponents (Go prints 1000e2147483647 as 1e-2147483646).
        BigDecimal stripped = new BigDecimal(v.unscaledValue()).stripTrailingZeros();
        BigInteger mantissa = stripped.unscaledValue();
        int exponent = -v.scale() - stripped.scale();
        while (exponent % 3 != 0) {
            mantissa = mantissa.multiply(BigInteger.TEN);
            exponent--;
        }
        String suffix = format == Format.DECIMAL_SI ? decimalSuffix(exponent) : null;
        if (suffix != null) {
            return mantissa + suffix;
        }
        // Decimal exponent format, and decimal SI beyond E where Go has no suffix (see canonical()).
        return exponent == 0 ? mantissa.toString() : mantissa + "e" + exponent;
    }

    private static IllegalArgumentException invalid(String s, String why) {
        return new IllegalArgumentException("invalid quantity " + GoText.quote(s) + ": " + why);
    }
}
