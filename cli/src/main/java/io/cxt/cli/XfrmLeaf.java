package io.cxt.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.XfrmClient;

/** What every {@code cxctl xfrm ...} leaf command shares: the kernel's XFRM socket, ip(8)'s text or JSON. */
abstract class XfrmLeaf extends CxctlLeaf {

    XfrmClient openXfrm() throws IOException {
        return root().openXfrm();
    }

    /** What a command does with the kernel's XFRM socket. */
    @FunctionalInterface
    interface XfrmWork {
        void run(XfrmClient xfrm) throws IOException;
    }

    /**
     * Runs {@code work} on an XFRM socket opened for it and closed after; the exit status is OK, failures are
     * thrown. Commands parse their arguments before, so that a usage error never needs the kernel.
     */
    Integer withXfrm(XfrmWork work) throws IOException {
        try (XfrmClient c = openXfrm()) {
            work.run(c);
        }
        return ExitCodes.OK;
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

    /**
     * Prints one result as the root's --json asks: a JSON document ({@code asJson}, keys redacted unless
     * {@code keys}) or ip(8)'s text ({@code asText}). Only the form printed is built.
     */
    <T> void print(T value, Function<? super T, ?> asJson, boolean keys, Function<? super T, String> asText)
            throws JsonProcessingException {
        if (json()) {
            printJson(asJson.apply(value), keys);
        } else {
            out().print(asText.apply(value));
            out().flush();
        }
    }

    /** Prints one SA as 'ip xfrm state' does (or as JSON), interface indexes as names. */
    void printState(SecurityAssociation sa, int stats, boolean keys) throws JsonProcessingException {
        LinkNames links = links();
        print(sa, s -> XfrmJson.state(s, links::name), keys, s -> XfrmText.state(s, textOptions(stats, keys, links)));
    }

    /** Prints a list of results: one JSON array, or the text blocks one after another (as ip(8) lists). */
    <T> void printAll(List<T> values, Function<? super T, ?> asJson, boolean keys, Function<? super T, String> asText)
            throws JsonProcessingException {
        print(values, all -> {
            List<Object> array = new ArrayList<>();
            for (T v : all) {
                array.add(asJson.apply(v));
            }
            return array;
        }, keys, all -> {
            StringBuilder text = new StringBuilder();
            for (T v : all) {
                text.append(asText.apply(v));
            }
            return text.toString();
        });
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
