package io.cxt.cdb;

/**
 * A malformed block, thrown deep inside the decoder and turned into the checked
 * {@link ContextDecodeException} at {@link ContextBlocks#decode}, the package's only entry for
 * outside bytes (the project's convention: decoders of what a remote sender controls throw a checked
 * exception from their public entry, so a caller on the activation path cannot forget it).
 */
final class MalformedBlock extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedBlock(String message) {
        super(message, null, false, false);
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new MalformedBlock(message);
        }
    }
}
