package io.cxt.context;

import java.util.List;

import io.cxt.xfrm.PolicyId;
import io.cxt.xfrm.SaKey;

/**
 * What an install put into the target kernel, so that it can be removed exactly.
 *
 * @param sas              SAs installed (by key)
 * @param policies         policies installed (by selector, direction, mark, if_id, type)
 * @param alreadyInstalled the very same context was already there: nothing was changed
 * @param nanos            time spent in the kernel operations
 */
public record InstallReceipt(List<SaKey> sas, List<PolicyId> policies, boolean alreadyInstalled, long nanos) {
    public InstallReceipt {
        sas = List.copyOf(sas);
        policies = List.copyOf(policies);
    }
}
