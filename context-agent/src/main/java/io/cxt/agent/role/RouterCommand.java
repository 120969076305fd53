package io.cxt.agent.role;

import java.net.InetAddress;
import java.util.Map;

import io.cxt.agent.control.ControlException;

/**
 * A control command for an access router, parsed and checked (an MN is a numeric address,
 * {@code since} a number, a transfer names its peer): what {@link AccessRouterAgent#handle} runs.
 * The control socket speaks {@code (command, arguments)} strings; {@link #parse} is the only place
 * that reads them, so a typed control protocol can build these records directly.
 */
sealed interface RouterCommand {

    record Status() implements RouterCommand {
    }

    record Contexts() implements RouterCommand {
    }

    record Peers() implements RouterCommand {
    }

    record Stats() implements RouterCommand {
    }

    /** Events after serial {@code since}. */
    record Events(long since) implements RouterCommand {
    }

    /** Predictive transfer of the MN at {@code mobileNode} to the peer {@code to}. */
    record Transfer(InetAddress mobileNode, String to) implements RouterCommand {
    }

    /** Cancels the MN's transfer, with every peer or only {@code peer} (null: every). */
    record Cancel(InetAddress mobileNode, String peer) implements RouterCommand {
    }

    /** Reads a command of the control socket; a clear one-line error for anything else. */
    static RouterCommand parse(String command, Map<String, String> arguments) throws ControlException {
        Map<String, String> args = arguments == null ? Map.of() : arguments;
        return switch (command) {
            case "status" -> new Status();
            case "contexts" -> new Contexts();
            case "peers" -> new Peers();
            case "stats" -> new Stats();
            case "events" -> new Events(ControlArguments.number(args.getOrDefault("since", "0")));
            case "transfer" -> new Transfer(ControlArguments.address(args, "mn"), ControlArguments.required(args, "to"));
            case "cancel" -> new Cancel(ControlArguments.address(args, "mn"), args.get("peer"));
            case "activate" -> throw new ControlException("activate is a mobile-node command; this agent is an access router");
            default -> throw new ControlException("unknown command '" + command + "' for an access router");
        };
    }

    /** Runs a command on the agent; the answer is one of the agent's views. */
    static Object run(AccessRouterAgent agent, RouterCommand c) throws ControlException {
        if (c instanceof Status) {
            return agent.status();
        } else if (c instanceof Contexts) {
            return agent.contexts();
        } else if (c instanceof Peers) {
            return agent.peers();
        } else if (c instanceof Stats) {
            return agent.stats();
        } else if (c instanceof Events e) {
            return agent.events(e.since());
        } else if (c instanceof Transfer t) {
            return agent.transfer(t.mobileNode(), t.to());
        } else if (c instanceof Cancel x) {
            return agent.cancel(x.mobileNode(), x.peer());
        }
        throw new IllegalStateException("unhandled command " + c);
    }
}
