package io.cxt.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Puts the failing case's seed in front of a {@link SeededTest}'s failure message, so that the
 * summary Maven prints says which case to run again ({@code -Dcxt.seed=...}): surefire names
 * parameterized cases by index, not by their display name.
 */
public final class SeedReporter implements TestExecutionExceptionHandler {

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        String seed = context.getDisplayName();
        if (!seed.startsWith("seed=") || failure.getMessage() != null && failure.getMessage().startsWith("[seed=")) {
            throw failure;
        }
        String rerun = "[" + seed + "; rerun: -Dcxt.seed=" + seed.substring("seed=".length()) + " -Dtest="
                + context.getRequiredTestClass().getSimpleName() + "#" + context.getRequiredTestMethod().getName() + "] ";
        AssertionError withSeed = new AssertionError(rerun + failure, failure);
        withSeed.setStackTrace(failure.getStackTrace());
        throw withSeed;
    }
}
