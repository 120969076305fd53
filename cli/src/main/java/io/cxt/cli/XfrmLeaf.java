package io.cxt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import io.cxt.xfrm.XfrmClient;

/** What every {@code cxctl xfrm ...} leaf command shares: the root's options, output, the kernel. */
abstract class XfrmLeaf implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** The {@code cxctl} command, holder of -n, --json and --debug. */
    Cxctl root() {
        CommandSpec s = spec;
        while (s != null && !(s.userObject() instanceof Cxctl)) {
            s = s.parent();
        }
        if (s == null) {
            throw new IllegalStateException("cxctl command not found above " + spec.qualifiedName());
        }
        return (Cxctl) s.userObject();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    boolean json() {
        return root().json;
    }

    XfrmClient openXfrm() throws IOException {
        return root().openXfrm();
    }

    LinkNames links() {
        return new LinkNames(root().netns);
    }

    XfrmText.Options textOptions(int stats, boolean keys, LinkNames links) {
        return new XfrmText.Options(stats, keys, links::name);
    }

    /** Pretty JSON (a document), keys redacted unless {@code keys}. */
    void printJson(Object value, boolean keys) throws JsonProcessingException {
        out().println(Json.mapper(keys).writeValueAsString(value));
        out().flush();
    }

    /** One JSON value on one line (a stream of objects, as the monitor prints them). */
    void printJsonLine(Object value, boolean keys) throws JsonProcessingException {
        out().println(Json.mapper(keys).writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
        out().flush();
    }

    static int count(boolean[] flags) {
        return flags == null ? 0 : flags.length;
    }
}
