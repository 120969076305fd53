package io.cxt.testing;

import java.lang.reflect.Method;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.support.AnnotationConsumer;

/**
 * The seeds of a {@link SeededTest}: a fixed base seed mixed with the test's class and method
 * name, so every run of the suite checks the same cases and two tests do not share inputs.
 */
public final class SeedSource implements org.junit.jupiter.params.provider.ArgumentsProvider,
        AnnotationConsumer<SeededTest> {

    /** Fixed so that CI is reproducible; change the cases with -Dcxt.cases, not this. */
    static final long BASE_SEED = 0x5eed_c0de_2026_0001L;

    private int cases;

    @Override
    public void accept(SeededTest annotation) {
        cases = annotation.cases();
    }

    @Override
    public Stream<? extends Arguments> provideArguments(ExtensionContext context) {
        String only = System.getProperty("cxt.seed");
        if (only != null && !only.isBlank()) {
            return Stream.of(Arguments.of(Gen.ofSeed(Gen.parseSeed(only))));
        }
        int n = Integer.getInteger("cxt.cases", cases);
        Method m = context.getRequiredTestMethod();
        long start = Gen.mix(BASE_SEED ^ (m.getDeclaringClass().getName() + "#" + m.getName()).hashCode());
        return LongStream.range(0, n).mapToObj(i -> Arguments.of(Gen.ofSeed(Gen.mix(start + i))));
    }
}
