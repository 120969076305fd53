package io.cxt.agent.control;

import java.util.Map;

/**
 * What the control socket asks of the running agent. One call per request line; the returned
 * object is serialised with Jackson (records, lists, maps of them) as the {@code result} of the
 * reply. The control server (io.cxt.agent.control) owns framing, authorisation and JSON; the
 * roles (io.cxt.agent.role) own the answers.
 *
 * <p>Commands and their arguments (all strings; see docs/agent.md):
 * <ul>
 *   <li>{@code status} -> {@link io.cxt.agent.view.AgentStatus}</li>
 *   <li>{@code contexts} -> {@code List<ContextView>}</li>
 *   <li>{@code peers} -> {@code List<PeerView>}</li>
 *   <li>{@code stats} -> {@code Map<String, Long>} (counter name -> value, sorted)</li>
 *   <li>{@code events} [{@code since}=event id] -> {@code List<AgentEvent>}</li>
 *   <li>{@code transfer} {@code mn}=MN address, {@code to}=nAR peer name or address -> {@link io.cxt.agent.view.OperationResult}</li>
 *   <li>{@code activate} {@code nar}=address, [{@code coa}=new care-of address] -> {@link io.cxt.agent.view.OperationResult}</li>
 *   <li>{@code cancel} {@code mn}=MN address, [{@code peer}=name or address] -> {@link io.cxt.agent.view.OperationResult}</li>
 *   <li>{@code ike-import} {@code json}=cxt-ike-sa/1 document -> {@link io.cxt.agent.view.OperationResult}</li>
 *   <li>{@code ike-list} -> {@code List<IkeSaView>}; {@code ike-show} {@code spi}=hex initiator SPI -> {@link io.cxt.agent.view.IkeSaView}</li>
 * </ul>
 */
@FunctionalInterface
public interface ControlHandler {

    /**
     * @param command the command name
     * @param arguments its arguments (never null)
     * @return the result object (a record, list or map)
     * @throws ControlException with a one-line message for the operator when the request is refused or fails
     */
    Object handle(String command, Map<String, String> arguments) throws ControlException;
}
