package io.cxt.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.test;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import net.jqwik.api.Example;

/**
 * Tests tagged esp-kernel run where the kernel has ESP and are skipped with the lab hint where it
 * has not, for JUnit Jupiter (registered by auto-detection through junit-platform.properties)
 * and for jqwik (registered as a lifecycle hook).
 */
class EspKernelConditionTest {

    @Test
    void jupiterTaggedTestRunsOrIsSkippedWithTheLabHint() {
        // Implicit configuration: the junit-platform.properties on the test classpath must be
        // what enables the auto-detected condition.
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .enableImplicitConfigurationParameters(true)
                .selectors(selectClass(SampleJupiterCase.class))
                .execute();
        assertOutcome(results, "tagged");
    }

    @Test
    void jqwikTaggedExampleRunsOrIsSkippedWithTheLabHint() {
        EngineExecutionResults results = EngineTestKit.engine("jqwik")
                .enableImplicitConfigurationParameters(true)
                .selectors(selectClass(SampleJqwikCase.class))
                .execute();
        assertOutcome(results, "tagged");
    }

    @Test
    void probeLeavesNoNamespaceBehind() {
        EspKernel.probe();
        String left = Commands.run("ip", "netns", "list");
        assertFalse(left.contains("cxt-esp-probe-" + ProcessHandle.current().pid() + "-"), left);
    }

    private static void assertOutcome(EngineExecutionResults results, String taggedMethod) {
        if (EspKernel.probe().available()) {
            results.testEvents().assertStatistics(s -> s.skipped(0).started(2).succeeded(2));
        } else {
            results.testEvents().assertStatistics(s -> s.skipped(1).started(1).succeeded(1));
            results.testEvents().skipped().assertThatEvents().haveExactly(1,
                    event(test(taggedMethod), skippedWithReason(r -> r.startsWith(EspKernel.SKIP_REASON))));
            assertTrue(EspKernel.skipReason().isPresent());
        }
    }

    /** Run only through the test kit above (its name matches no test-class pattern). */
    static class SampleJupiterCase {
        @Test
        @Tag(EspKernel.TAG)
        void tagged() {
        }

        @Test
        void untagged() {
        }
    }

    /** Run only through the test kit above. */
    static class SampleJqwikCase {
        @Example
        @net.jqwik.api.Tag(EspKernel.TAG)
        void tagged() {
        }

        @Example
        void untagged() {
        }
    }
}
