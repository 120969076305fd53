package io.cxt.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Model.CommandSpec;

import io.cxt.agent.control.ControlClient;
import io.cxt.agent.control.ControlException;

/** A cxctl command answered by cxagent over its control socket ({@code cxctl agent ...}, {@code cxctl ike ...}). */
abstract class ControlLeaf extends CxctlLeaf {

    /** The --socket given to the group command (agent or ike), else the agent's default socket. */
    Path socket() {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            for (CommandSpec mixin : s.mixins().values()) {
                if (mixin.userObject() instanceof ControlSocketOption o) {
                    return o.path == null ? ControlClient.DEFAULT_SOCKET : o.path;
                }
            }
        }
        return ControlClient.DEFAULT_SOCKET;
    }

    /**
     * One request. A refusal ({@code ok:false}) becomes an IOException with the agent's own line, so
     * that cxctl prints "cxctl: LINE" and exits 1.
     */
    JsonNode request(String command, Map<String, String> arguments) throws IOException {
        checkNoNetns();
        try {
            return ControlClient.request(socket(), command, arguments);
        } catch (ControlException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** -n cannot choose an agent: refused with the reason (exit 2). */
    void checkNoNetns() {
        if (root().netns != null) {
            // The control socket is a file: the same from every network namespace, so -n cannot select an agent.
            throw new UsageException("-n does not apply to agent and ike commands: the agent's control socket is a"
                    + " file, reached the same from every namespace; choose the agent with --socket PATH");
        }
    }

    /** The raw result, indented (--json). */
    void printJson(JsonNode result) throws IOException {
        out().println(Json.mapper(false).writeValueAsString(result));
        out().flush();
    }

    /**
     * An OperationResult: the summary (and details as "key value" lines) when it succeeded; when the agent
     * reports failure, its summary is the error (exit 1). With --json the result is printed either way.
     */
    int operation(JsonNode r) throws IOException {
        boolean ok = r.path("ok").asBoolean(false);
        if (json()) {
            printJson(r);
        } else if (ok) {
            out().println(r.path("summary").asText());
            JsonNode d = r.get("details");
            if (d != null && d.isObject()) {
                java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
                d.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText()
                        : e.getValue().toString()));
                sorted.forEach((k, v) -> out().println("  " + k + " " + v));
            }
            out().flush();
        }
        if (!ok) {
            throw new IOException(r.path("summary").asText("the agent reported failure"));
        }
        return ExitCodes.OK;
    }
}
