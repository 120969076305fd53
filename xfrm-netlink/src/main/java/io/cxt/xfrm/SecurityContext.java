package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.cxt.nl.MalformedNetlinkException;

/**
 * XFRMA_SEC_CTX: {@code struct xfrm_user_sec_ctx} (len, exttype, ctx_alg, ctx_doi, ctx_len)
 * followed by the context string (an LSM label such as an SELinux context). The string is kept as
 * raw octets so that re-encoding is exact.
 */
public record SecurityContext(int exttype, int alg, int doi, byte[] context) {
    public static final int HEADER_LENGTH = 8;

    public SecurityContext {
        context = context == null ? new byte[0] : context.clone();
    }

    public static SecurityContext decode(ByteBuffer b) {
        XfrmStructs.need(b, HEADER_LENGTH, "xfrm_user_sec_ctx");
        XfrmStructs.getU16(b); // len: header + string, recomputed on encode
        int exttype = XfrmStructs.getU16(b);
        int alg = XfrmStructs.getU8(b);
        int doi = XfrmStructs.getU8(b);
        int ctxLen = XfrmStructs.getU16(b);
        MalformedNetlinkException.check(ctxLen <= b.remaining(), "security context length " + ctxLen + " exceeds attribute");
        byte[] s = new byte[ctxLen];
        b.get(s);
        return new SecurityContext(exttype, alg, doi, s);
    }

    public int encodedLength() {
        return HEADER_LENGTH + context.length;
    }

    public void encode(ByteBuffer b) {
        b.putShort((short) encodedLength());
        b.putShort((short) exttype);
        b.put((byte) alg);
        b.put((byte) doi);
        b.putShort((short) context.length);
        b.put(context);
    }

    public String contextString() {
        int n = context.length;
        while (n > 0 && context[n - 1] == 0) {
            n--;
        }
        return new String(context, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] context() {
        return context.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecurityContext c && c.exttype == exttype && c.alg == alg && c.doi == doi
                && Arrays.equals(c.context, context);
    }

    @Override
    public int hashCode() {
        return ((exttype * 31 + alg) * 31 + doi) * 31 + Arrays.hashCode(context);
    }

    @Override
    public String toString() {
        return "SecurityContext[alg=" + alg + ", doi=" + doi + ", ctx=" + contextString() + "]";
    }
}
