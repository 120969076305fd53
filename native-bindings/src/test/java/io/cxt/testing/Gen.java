package io.cxt.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Seeded random values for property tests ({@link SeededTest}). Integers lean towards their edge
 * values (0, 1, all ones, the sign bit) as often as a fuzzer would try them, and its
 * {@link #toString()} is the seed, which is what a failing case prints.
 */
public final class Gen {
    private final long seed;
    private final SplittableRandom random;

    private Gen(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public static Gen ofSeed(long seed) {
        return new Gen(seed);
    }

    public long seed() {
        return seed;
    }

    /** A 64-bit mix (SplitMix64's finaliser): consecutive inputs give unrelated seeds. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static long parseSeed(String s) {
        String t = s.trim().replace("seed=", "");
        return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
    }

    /** One in {@code n}. */
    public boolean oneIn(int n) {
        return random.nextInt(n) == 0;
    }

    public boolean bool() {
        return random.nextBoolean();
    }

    /** Uniform in [min, max], both included. */
    public int between(int min, int max) {
        if (max < min) {
            throw new IllegalArgumentException(min + " > " + max);
        }
        return (int) (min + random.nextLong((long) max - min + 1));
    }

    /** [min, max], with min and max themselves more often than uniform. */
    public int betweenEdgy(int min, int max) {
        return switch (random.nextInt(10)) {
            case 0 -> min;
            case 1 -> max;
            default -> between(min, max);
        };
    }

    public int u8() {
        return betweenEdgy(0, 0xff);
    }

    public int u16() {
        return betweenEdgy(0, 0xffff);
    }

    /** Any int, as the 32 bits of an unsigned field. */
    public int u32() {
        return switch (random.nextInt(12)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> 1;
            case 3 -> Integer.MIN_VALUE;
            case 4 -> Integer.MAX_VALUE;
            case 5 -> random.nextInt(256);
            default -> random.nextInt();
        };
    }

    public long u64() {
        return switch (random.nextInt(10)) {
            case 0 -> 0L;
            case 1 -> -1L;
            case 2 -> Long.MAX_VALUE;
            case 3 -> random.nextLong(1 << 16);
            default -> random.nextLong();
        };
    }

    /** Any int, uniformly. */
    public int anyInt() {
        return random.nextInt();
    }

    public long anyLong() {
        return random.nextLong();
    }

    public byte[] bytes(int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    /** A length in [min, max] (short ones more often), then that many random octets. */
    public byte[] bytes(int min, int max) {
        return bytes(size(min, max));
    }

    /** A collection size in [min, max]; the bounds and small sizes come more often. */
    public int size(int min, int max) {
        return switch (random.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            case 2, 3 -> between(min, Math.min(max, min + 3));
            default -> between(min, max);
        };
    }

    /** Printable ASCII (0x20..0x7e), length in [min, max]. */
    public String ascii(int min, int max) {
        return chars(size(min, max), 0x20, 0x7e);
    }

    /** Characters from [lo, hi]. */
    public String chars(int length, int lo, int hi) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) between(lo, hi));
        }
        return s.toString();
    }

    @SafeVarargs
    public final <T> T of(T... values) {
        return values[random.nextInt(values.length)];
    }

    public <T> T of(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    public int ofInts(int... values) {
        return values[random.nextInt(values.length)];
    }

    /** {@code null} with probability {@code pNull}, else a value. */
    public <T> T orNull(double pNull, Supplier<T> value) {
        return random.nextDouble() < pNull ? null : value.get();
    }

    public <T> List<T> list(int min, int max, Supplier<T> element) {
        int n = size(min, max);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.get());
        }
        return out;
    }

    /** A sub-generator with its own stream (for values made independently of the caller's order). */
    public Gen split() {
        return new Gen(random.nextLong());
    }

    public java.util.Random asRandom() {
        return new java.util.Random(random.nextLong());
    }

    @Override
    public String toString() {
        return "seed=" + seed;
    }
}
