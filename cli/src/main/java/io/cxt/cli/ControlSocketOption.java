package io.cxt.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code --socket PATH} option of the commands answered by cxagent ({@code cxctl agent}, {@code cxctl ike}):
 * a picocli mixin, so that both groups declare it once; inherited, so that it may follow the group or its
 * subcommand. {@link ControlLeaf#socket()} finds it.
 */
final class ControlSocketOption {

    @Option(names = "--socket", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "cxagent's control socket (default: /run/cxt/cxagent.sock, [agent] control-socket).")
    Path path;
}
