package io.cxt.agent.view;

import java.util.List;

/**
 * Answer to {@code status}.
 *
 * @param role "access-router" or "mobile-node"
 * @param name the agent's configured name
 * @param pid process id
 * @param version cxt version
 * @param startedAt ISO-8601 instant
 * @param uptimeSeconds seconds since start
 * @param localAddresses addresses the agent speaks CXTP from
 * @param contexts contexts held (router) or own contexts (MN)
 * @param peers configured peer routers
 * @param ikeSas IKE SAs known to the agent
 * @param lastHandover short text of the last handover (empty if none)
 */
public record AgentStatus(String role, String name, long pid, String version, String startedAt, long uptimeSeconds,
        List<String> localAddresses, int contexts, int peers, int ikeSas, String lastHandover) {
    public AgentStatus {
        localAddresses = List.copyOf(localAddresses);
    }
}
