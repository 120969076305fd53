package io.cxt.testing;

import java.io.IOException;

import io.cxt.sys.NetNamespace;

/** A network namespace made for one test: its {@code ip netns} name and a handle. */
public record TestNamespace(String name) {

    public NetNamespace netns() {
        try {
            return NetNamespace.named(name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code ip -n NAME args...} and returns its stdout; fails the test on a non-zero exit. */
    public String ip(String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = name;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Commands.run(cmd);
    }
}
