package io.cxt.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * A property checked on {@link #cases()} generated inputs: a JUnit parameterized test whose one
 * parameter is a {@link Gen} seeded from a fixed base seed, the test's name and the case number.
 * The seed is the case's display name and heads its failure message ({@link SeedReporter}); {@code -Dcxt.seed=SEED} runs just
 * that case again, {@code -Dcxt.cases=N} changes the number of cases of every seeded test.
 *
 * <pre>{@code
 * @SeededTest(cases = 500)
 * void roundTrips(Gen g) {
 *     Selector s = XfrmGen.selector(g);
 *     ...
 * }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@ArgumentsSource(SeedSource.class)
@ExtendWith(SeedReporter.class)
public @interface SeededTest {
    /** How many generated cases to run. */
    int cases() default 200;
}
