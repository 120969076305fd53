package io.cxt.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: every {@link TestNamespace} parameter of a test method is a fresh network
 * namespace ({@code ip netns add cxt-t-XXXX}), deleted after the test whatever its outcome. The
 * kernel frees a namespace's SAD and SPD with it, so tests cannot leak XFRM state into each other
 * or into the host.
 */
public final class NetnsExtension implements ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(NetnsExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == TestNamespace.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) throws ParameterResolutionException {
        String name = "cxt-t-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
        try {
            Commands.run("ip", "netns", "add", name);
            Commands.run("ip", "-n", name, "link", "set", "lo", "up");
        } catch (IllegalStateException e) {
            throw new ParameterResolutionException("cannot create network namespace (needs root / CAP_SYS_ADMIN): "
                    + e.getMessage(), e);
        }
        created(ec).add(name);
        return new TestNamespace(name);
    }

    @SuppressWarnings("unchecked")
    private static List<String> created(ExtensionContext ec) {
        return ec.getStore(STORE).getOrComputeIfAbsent("names", k -> new ArrayList<String>(), List.class);
    }

    @Override
    public void afterEach(ExtensionContext ec) {
        for (String name : created(ec)) {
            Commands.exec(List.of("ip", "netns", "del", name), null);
        }
        created(ec).clear();
    }
}
