package io.cxt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The preload list names classes that exist: a rename on the activation path must update it. */
class ActivationClassesTest {

    @Test
    void everyListedClassLoads() {
        assertEquals(List.of(), ActivationClasses.preload());
    }

    @Test
    void aStaleNameIsReportedNotThrown() {
        assertEquals(List.of("io.cxt.agent.role.NoSuchClass"),
                ActivationClasses.preload(List.of("io.cxt.agent.role.RouterText", "io.cxt.agent.role.NoSuchClass")));
    }
}
