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

/**
 * Tests tagged esp-kernel run where the kernel has ESP and are skipped with the lab hint where it
 * has not (JUnit Jupiter, registered by auto-detection through junit-platform.properties). Seeded
 * property tests ({@link SeededTest}) and Jazzer fuzz tests are Jupiter test templates, so the
 * same condition covers them.
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
    void taggedSeededTestRunsOrIsSkippedWithTheLabHint() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .enableImplicitConfigurationParameters(true)
                .selectors(selectClass(SampleSeededCase.class))
                .execute();
        if (EspKernel.probe().available()) {
            results.testEvents().assertStatistics(s -> s.skipped(0).started(3).succeeded(3));
        } else {
            results.testEvents().assertStatistics(s -> s.skipped(0).started(1).succeeded(1));
            results.containerEvents().skipped().assertThatEvents().haveExactly(1,
                    event(skippedWithReason(r -> r.startsWith(EspKernel.SKIP_REASON))));
        }
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

    /** A tagged seeded property (two cases) beside an untagged plain test. */
    static class SampleSeededCase {
        @SeededTest(cases = 2)
        @Tag(EspKernel.TAG)
        void taggedProperty(Gen g) {
            assertTrue(g.between(0, 1) <= 1);
        }

        @Test
        void untagged() {
        }
    }
}
