package io.cxt.testing;

import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips JUnit Jupiter tests and classes tagged {@code esp-kernel} on a kernel without ESP, with
 * {@link EspKernel#SKIP_REASON} as the reason, so that they show up as skipped in the reports
 * instead of failing or silently disappearing. Registered for every module whose tests see
 * native-bindings' test-jar through JUnit's extension auto-detection
 * ({@code META-INF/services/org.junit.jupiter.api.extension.Extension} and
 * {@code junit.jupiter.extensions.autodetection.enabled=true} in junit-platform.properties).
 */
public final class EspKernelCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!context.getTags().contains(EspKernel.TAG)) {
            return ConditionEvaluationResult.enabled("not tagged " + EspKernel.TAG);
        }
        Optional<String> skip = EspKernel.skipReason();
        return skip.map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("this kernel can hold ESP SAs"));
    }
}
