package io.cxt.context;

/**
 * Where an outbound SA's sequence number continues on the new access router.
 *
 * <p>The pAR keeps sending on the SA after the snapshot was taken (a predictive transfer happens
 * before the handover), so the nAR cannot know the exact last number used. It continues from the
 * snapshot's value plus a safety margin (RFC 6027 section 3.4 suggests 10,000) and never lower:
 * with AEAD ciphers (GCM, ChaCha20-Poly1305) Linux builds the IV from the sequence number, so a
 * reused number means a reused nonce under the same key, which breaks confidentiality and
 * authenticity. A receiver's anti-replay window tolerates a jump forward; it cannot tolerate reuse.
 *
 * <p>Values are 64-bit (ESN: oseq_hi:oseq); without ESN the result must stay below 2^32, else the
 * SA is exhausted and the transfer is refused (a rekey is needed, not a wrap).
 */
public record SequenceNumberPolicy(long margin) {

    /** RFC 6027 section 3.4's figure. */
    public static final long DEFAULT_MARGIN = 10_000;
    public static final SequenceNumberPolicy DEFAULT = new SequenceNumberPolicy(DEFAULT_MARGIN);

    public SequenceNumberPolicy {
        if (margin < 0) {
            throw new IllegalArgumentException("sequence number margin must be >= 0: " + margin);
        }
    }

    /**
     * The outbound sequence number to install on the target.
     *
     * @param snapshotOseq the last number used as read on the source (unsigned 64-bit for ESN)
     * @param esn whether the SA uses extended sequence numbers
     * @throws SequenceExhaustedException if the continued number does not fit the SA's space
     */
    public long continueFrom(long snapshotOseq, boolean esn) {
        long next = snapshotOseq + margin;
        if (Long.compareUnsigned(next, snapshotOseq) < 0) {
            throw new SequenceExhaustedException("outbound sequence number " + Long.toUnsignedString(snapshotOseq)
                    + " + margin " + margin + " overflows 64 bits");
        }
        if (!esn && Long.compareUnsigned(next, 0xffffffffL) > 0) {
            throw new SequenceExhaustedException("outbound sequence number " + snapshotOseq + " + margin " + margin
                    + " exceeds the 32-bit space of a non-ESN SA; the SA must be rekeyed, not transferred");
        }
        return next;
    }

    /** The continued number can never be lower than what was read; asserted for callers. */
    public static boolean neverLower(long snapshot, long installed) {
        return Long.compareUnsigned(installed, snapshot) >= 0;
    }

    /** An SA's sequence space cannot take the margin. */
    public static final class SequenceExhaustedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public SequenceExhaustedException(String message) {
            super(message);
        }
    }
}
