package io.cxt.ike;

import java.security.SecureRandom;

import io.cxt.ike.IkeRejectedException.Reason;

/**
 * Builds and accepts protected INFORMATIONAL messages on an IKE SA: the MOBIKE address update with
 * cxt's UPDATE_SPI notifies (paper section 3.2.4), in which the responder (the new access router)
 * may be the one that sends the request.
 *
 * <p>Who sends decides the keys and the I flag: the original initiator protects with SK_ei/SK_ai and
 * sets I, the original responder uses SK_er/SK_ar and clears it. Requests clear R and carry our next
 * request message ID; responses set R and repeat their request's ID. Acceptance checks, in order:
 * well-formed header, INFORMATIONAL, our SPIs, flags, message ID (window of one), integrity, content.
 * A message failing any check is refused with an {@link IkeRejectedException} and yields nothing.
 *
 * <p>All methods are pure: the caller keeps the returned context.
 */
public final class InformationalExchange {
    private InformationalExchange() {
    }

    /** A request ready to send, and the context with the next request ID advanced. */
    public record OutgoingRequest(byte[] message, long messageId, IkeSaContext context) {
        public OutgoingRequest {
            message = message.clone();
        }

        @Override
        public byte[] message() {
            return message.clone();
        }
    }

    /** An accepted request, and the context now expecting the peer's next request ID. */
    public record AcceptedRequest(long messageId, InformationalContent content, IkeSaContext context) {
    }

    /** An accepted response to our request {@code messageId}. */
    public record AcceptedResponse(long messageId, InformationalContent content) {
    }

    public static OutgoingRequest buildRequest(IkeSaContext sa, InformationalContent content, SecureRandom random) {
        long mid = sa.messageIds().nextRequestToSend();
        IkeMessageIds advanced = sa.messageIds().afterSendingRequest();
        byte[] message = SkProtector.outbound(sa, random).protect(header(sa, false, mid), content.toPayloads());
        return new OutgoingRequest(message, mid, sa.withMessageIds(advanced));
    }

    /** The response to the peer's request {@code requestMessageId}; the context does not change. */
    public static byte[] buildResponse(IkeSaContext sa, long requestMessageId, InformationalContent content,
            SecureRandom random) {
        return SkProtector.outbound(sa, random).protect(header(sa, true, requestMessageId), content.toPayloads());
    }

    public static AcceptedRequest acceptRequest(IkeSaContext sa, byte[] message) throws IkeRejectedException {
        IkeHeader h = checkHeader(sa, message, false);
        long expected = sa.messageIds().nextRequestExpected();
        if (h.messageId() < expected) {
            throw new IkeRejectedException(Reason.REPLAYED_MESSAGE_ID, "request message ID " + h.messageId()
                    + " was already processed (next expected " + expected + ")");
        }
        if (h.messageId() != expected || expected == IkeMessageIds.EXHAUSTED) {
            throw new IkeRejectedException(Reason.UNEXPECTED_MESSAGE_ID, "request message ID " + h.messageId()
                    + " is not the next expected " + expected);
        }
        InformationalContent content = open(sa, message);
        return new AcceptedRequest(h.messageId(), content,
                sa.withMessageIds(sa.messageIds().afterAcceptingRequest()));
    }

    /**
     * Accepts the response to our outstanding request {@code requestMessageId} (the caller keeps track
     * of which request is outstanding and stops accepting once it has its response).
     */
    public static AcceptedResponse acceptResponse(IkeSaContext sa, long requestMessageId, byte[] message)
            throws IkeRejectedException {
        IkeHeader h = checkHeader(sa, message, true);
        if (h.messageId() != requestMessageId) {
            throw new IkeRejectedException(h.messageId() < requestMessageId ? Reason.REPLAYED_MESSAGE_ID
                    : Reason.UNEXPECTED_MESSAGE_ID, "response message ID " + h.messageId()
                    + " does not answer the outstanding request " + requestMessageId);
        }
        return new AcceptedResponse(h.messageId(), open(sa, message));
    }

    private static IkeHeader header(IkeSaContext sa, boolean response, long messageId) {
        return IkeHeader.of(sa.initiatorSpi(), sa.responderSpi(), ExchangeType.INFORMATIONAL, response,
                sa.originalInitiator(), messageId);
    }

    private static IkeHeader checkHeader(IkeSaContext sa, byte[] message, boolean response)
            throws IkeRejectedException {
        IkeHeader h;
        try {
            h = IkeHeader.decode(message);
        } catch (IkeDecodeException e) {
            throw new IkeRejectedException(Reason.MALFORMED, e.getMessage(), e);
        }
        if (h.exchangeType() != ExchangeType.INFORMATIONAL) {
            throw new IkeRejectedException(Reason.WRONG_EXCHANGE_TYPE, "exchange type " + h.exchangeType()
                    + " is not INFORMATIONAL (" + ExchangeType.INFORMATIONAL + ")");
        }
        if (h.initiatorSpi() != sa.initiatorSpi() || h.responderSpi() != sa.responderSpi()) {
            throw new IkeRejectedException(Reason.UNKNOWN_IKE_SA, "SPIs " + Octets.spi64(h.initiatorSpi()) + "/"
                    + Octets.spi64(h.responderSpi()) + " are not those of this IKE SA");
        }
        if (h.initiator() == sa.originalInitiator()) {
            throw new IkeRejectedException(Reason.WRONG_FLAGS, "the I flag is " + (h.initiator() ? "set" : "clear")
                    + " but the peer is the original " + (sa.originalInitiator() ? "responder" : "initiator"));
        }
        if (h.response() != response) {
            throw new IkeRejectedException(Reason.WRONG_FLAGS, "expected a " + (response ? "response" : "request")
                    + " but the R flag is " + (h.response() ? "set" : "clear"));
        }
        return h;
    }

    private static InformationalContent open(IkeSaContext sa, byte[] message) throws IkeRejectedException {
        SkProtector.Opened opened = SkProtector.inbound(sa).open(message);
        if (!opened.clearPayloads().isEmpty()) {
            throw new IkeRejectedException(Reason.NOT_PROTECTED, opened.clearPayloads().size()
                    + " payloads precede the Encrypted payload; everything in an INFORMATIONAL must be inside it");
        }
        return InformationalContent.fromPayloads(opened.payloads());
    }
}
