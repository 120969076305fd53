package io.cxt.cli;

import java.util.List;
import java.util.Set;

/**
 * A cursor over the keyword/value tokens of an {@code ip xfrm}-style command line
 * ({@code src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1000 ...}). Errors name the token and the
 * keyword it belongs to, in one line, as {@link UsageException}s (exit status 2).
 */
final class Tokens {
    private final List<String> tokens;
    private int pos;

    Tokens(List<String> tokens) {
        this.tokens = tokens == null ? List.of() : List.copyOf(tokens);
    }

    boolean hasNext() {
        return pos < tokens.size();
    }

    /** The next token without consuming it, or null at the end. */
    String peek() {
        return hasNext() ? tokens.get(pos) : null;
    }

    /** Whether the next token is one of {@code words}. */
    boolean peekIs(Set<String> words) {
        return hasNext() && words.contains(tokens.get(pos));
    }

    boolean peekIs(String word) {
        return hasNext() && tokens.get(pos).equals(word);
    }

    /** Consumes and returns the next token (the caller has checked {@link #hasNext()}). */
    String next() {
        if (!hasNext()) {
            throw new UsageException("unexpected end of arguments");
        }
        return tokens.get(pos++);
    }

    /** Consumes the value that must follow {@code keyword}. */
    String value(String keyword) {
        return value(keyword, keyword.toUpperCase(java.util.Locale.ROOT));
    }

    /** Consumes the value that must follow {@code keyword}; {@code what} names it in the error. */
    String value(String keyword, String what) {
        if (!hasNext()) {
            throw new UsageException("missing " + what + " after \"" + keyword + "\"");
        }
        return tokens.get(pos++);
    }

    /** Consumes {@code word} if it is next. */
    boolean accept(String word) {
        if (peekIs(word)) {
            pos++;
            return true;
        }
        return false;
    }

    /** Gives the last token back (for grammars that look one keyword too far). */
    void back() {
        if (pos > 0) {
            pos--;
        }
    }

    int position() {
        return pos;
    }

    /** Fails on the next token if there is one: nothing else is expected. */
    void expectEnd(String context) {
        if (hasNext()) {
            throw new UsageException("unknown keyword \"" + peek() + "\"" + (context == null ? "" : " in " + context));
        }
    }

    static UsageException invalid(String what, String token) {
        return new UsageException("invalid " + what + " \"" + token + "\"");
    }

    static UsageException unknown(String token, String context) {
        return new UsageException("unknown keyword \"" + token + "\"" + (context == null ? "" : " in " + context));
    }
}
