package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

import io.cxt.nl.NlAttribute;

/**
 * A whole SA as NEWSA, UPDSA, a GETSA answer or a dump entry carry it: {@link SaInfo} plus every
 * optional attribute, typed. Attributes this class does not know (and repeats of known ones) are
 * kept in {@link #unknownAttributes()} and sent back unchanged, so decoding and re-encoding a
 * kernel message gives the same attributes back.
 *
 * <p>Absent attributes are null. {@link #encode} writes the attributes in the order the kernel
 * uses in its own SA messages (copy_to_user_state_extra), then those only requests carry, then the
 * unknown ones; a message from the kernel therefore re-encodes to the very same bytes.
 *
 * <p>Immutable; change it with the withers or {@link #toBuilder()}. {@link #toString()} shows
 * algorithm names but never keys (they are {@link KeyBytes}).
 *
 * <p><b>Size.</b> Over 600 lines because it is one kernel structure with every attribute the kernel knows (28 components), its builder and its encoding order; split, the attribute list would live in several places and drift from the decoder.
 */
public record SecurityAssociation(
        SaInfo info,
        AeadAlgorithm aead,
        Algorithm auth,
        AuthAlgorithm authTrunc,
        Algorithm crypt,
        Algorithm comp,
        EncapTemplate encap,
        Mark mark,
        Integer setMark,
        Integer setMarkMask,
        Integer ifId,
        ReplayState replay,
        ReplayStateEsn replayEsn,
        InetAddress coaddr,
        InetAddress srcaddr,
        Long lastUsed,
        LifetimeCurrent ltimeVal,
        Integer replayThresh,
        Integer etimerThresh,
        Integer mtimerThresh,
        Integer saExtraFlags,
        Integer tfcPad,
        SecurityContext secCtx,
        OffloadDevice offload,
        Integer saDir,
        Integer natKeepaliveInterval,
        Integer pcpu,
        List<NlAttribute> unknownAttributes) {

    /** XFRMA_SA_DIR values. */
    public static final int DIR_IN = 1;
    public static final int DIR_OUT = 2;

    /** XFRMA_SA_EXTRA_FLAGS bits. */
    public static final int XFLAG_DONT_ENCAP_DSCP = 1;
    public static final int XFLAG_OSEQ_MAY_WRAP = 2;

    public SecurityAssociation {
        Objects.requireNonNull(info, "info");
        int family = info.family();
        if (encap != null) {
            StateCodec.checkFamily(encap.originalAddress(), family, "encap original address");
        }
        if (coaddr != null) {
            StateCodec.checkFamily(coaddr, family, "care-of address");
        }
        if (srcaddr != null) {
            StateCodec.checkFamily(srcaddr, family, "XFRMA_SRCADDR");
        }
        if (saDir != null) {
            StateCodec.checkU8(saDir, "SA direction");
        }
        unknownAttributes = unknownAttributes == null ? List.of() : List.copyOf(unknownAttributes);
    }

    public static Builder builder(SaInfo info) {
        return new Builder(info);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    // ------------------------------------------------------------------ convenience views

    public int family() {
        return info.family();
    }

    public int spi() {
        return info.id().spi();
    }

    public int proto() {
        return info.id().proto();
    }

    public InetAddress source() {
        return info.saddr();
    }

    public InetAddress destination() {
        return info.id().daddr();
    }

    public int reqid() {
        return info.reqid();
    }

    /** The key that GETSA/DELSA use for this SA: destination, SPI, protocol, source and mark. */
    public SaKey key() {
        return new SaKey(new SaId(destination(), spi(), family(), proto()), source(), mark, null, List.of());
    }

    // ------------------------------------------------------------------ withers

    /** Applies several changes at once: {@code sa.with(b -> b.ifId(7).mark(m))}. */
    public SecurityAssociation with(UnaryOperator<Builder> change) {
        return change.apply(toBuilder()).build();
    }

    public SecurityAssociation withInfo(SaInfo newInfo) {
        return toBuilder().info(newInfo).build();
    }

    public SecurityAssociation withSpi(int spi) {
        return withInfo(info.withSpi(spi));
    }

    /** New tunnel end points; the selector and the other attributes stay. */
    public SecurityAssociation withAddresses(InetAddress src, InetAddress dst) {
        return withInfo(info.withAddresses(src, dst));
    }

    public SecurityAssociation withReqid(int reqid) {
        return withInfo(info.withReqid(reqid));
    }

    public SecurityAssociation withSelector(Selector selector) {
        return withInfo(info.withSelector(selector));
    }

    public SecurityAssociation withLifetimeCurrent(LifetimeCurrent current) {
        return withInfo(info.withCurrent(current));
    }

    public SecurityAssociation withReplay(ReplayState r) {
        return toBuilder().replay(r).build();
    }

    public SecurityAssociation withReplayEsn(ReplayStateEsn r) {
        return toBuilder().replayEsn(r).build();
    }

    public SecurityAssociation withEncap(EncapTemplate e) {
        return toBuilder().encap(e).build();
    }

    public SecurityAssociation withMark(Mark m) {
        return toBuilder().mark(m).build();
    }

    public SecurityAssociation withIfId(Integer id) {
        return toBuilder().ifId(id).build();
    }

    public SecurityAssociation withSaDir(Integer dir) {
        return toBuilder().saDir(dir).build();
    }

    // ------------------------------------------------------------------ codec

    /** Decodes a whole SA message payload (from the buffer's position to its limit). */
    public static SecurityAssociation decode(ByteBuffer payload) {
        return StateCodec.guard("xfrm SA", () -> {
            ByteBuffer b = payload.duplicate().order(java.nio.ByteOrder.nativeOrder());
            List<NlAttribute> attrs = StateCodec.attributesAfter(b, SaInfo.LENGTH, "xfrm_usersa_info");
            SaInfo info = SaInfo.decode(b);
            Builder builder = new Builder(info);
            for (NlAttribute a : attrs) {
                builder.accept(a);
            }
            return builder.build();
        });
    }

    public static SecurityAssociation decode(byte[] payload) {
        return decode(StateCodec.wrap(payload));
    }

    /** The attributes in canonical order (see the class comment). */
    public List<NlAttribute> attributes() {
        List<NlAttribute> out = new ArrayList<>();
        if (saExtraFlags != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.SA_EXTRA_FLAGS, saExtraFlags));
        }
        if (coaddr != null) {
            out.add(StateCodec.addressAttr(XfrmAttrType.COADDR, coaddr));
        }
        if (lastUsed != null) {
            out.add(StateCodec.u64Attr(XfrmAttrType.LASTUSED, lastUsed));
        }
        if (aead != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.ALG_AEAD, aead.encodedLength(), aead::encode));
        }
        if (auth != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.ALG_AUTH, auth.encodedLength(), auth::encode));
        }
        if (authTrunc != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.ALG_AUTH_TRUNC, authTrunc.encodedLength(), authTrunc::encode));
        }
        if (crypt != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.ALG_CRYPT, crypt.encodedLength(), crypt::encode));
        }
        if (comp != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.ALG_COMP, comp.encodedLength(), comp::encode));
        }
        if (encap != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.ENCAP, EncapTemplate.LENGTH, encap::encode));
        }
        if (tfcPad != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.TFCPAD, tfcPad));
        }
        if (mark != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.MARK, Mark.LENGTH, mark::encode));
        }
        if (setMark != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.SET_MARK, setMark));
        }
        if (setMarkMask != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.SET_MARK_MASK, setMarkMask));
        }
        if (replayEsn != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.REPLAY_ESN_VAL, replayEsn.encodedLength(), replayEsn::encode));
        }
        if (replay != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.REPLAY_VAL, ReplayState.LENGTH, replay::encode));
        }
        if (offload != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.OFFLOAD_DEV, OffloadDevice.LENGTH, offload::encode));
        }
        if (ifId != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.IF_ID, ifId));
        }
        if (secCtx != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.SEC_CTX, secCtx.encodedLength(), secCtx::encode));
        }
        if (pcpu != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.SA_PCPU, pcpu));
        }
        if (mtimerThresh != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.MTIMER_THRESH, mtimerThresh));
        }
        if (saDir != null) {
            out.add(StateCodec.u8Attr(XfrmAttrType.SA_DIR, saDir));
        }
        if (natKeepaliveInterval != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.NAT_KEEPALIVE_INTERVAL, natKeepaliveInterval));
        }
        // only in requests (NEWSA takes them; the kernel's SA messages do not carry them)
        if (srcaddr != null) {
            out.add(StateCodec.addressAttr(XfrmAttrType.SRCADDR, srcaddr));
        }
        if (ltimeVal != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.LTIME_VAL, LifetimeCurrent.LENGTH, ltimeVal::encode));
        }
        if (replayThresh != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.REPLAY_THRESH, replayThresh));
        }
        if (etimerThresh != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.ETIMER_THRESH, etimerThresh));
        }
        out.addAll(unknownAttributes);
        return out;
    }

    /** The message payload: xfrm_usersa_info followed by the attributes. */
    public byte[] toBytes() {
        return StateCodec.payload(SaInfo.LENGTH, info::encode, attributes());
    }

    public void encode(ByteBuffer b) {
        b.put(toBytes());
    }

    // ------------------------------------------------------------------ builder

    /** Mutable helper to assemble or rewrite an SA; {@link #build()} validates. */
    public static final class Builder {
        private SaInfo info;
        private AeadAlgorithm aead;
        private Algorithm auth;
        private AuthAlgorithm authTrunc;
        private Algorithm crypt;
        private Algorithm comp;
        private EncapTemplate encap;
        private Mark mark;
        private Integer setMark;
        private Integer setMarkMask;
        private Integer ifId;
        private ReplayState replay;
        private ReplayStateEsn replayEsn;
        private InetAddress coaddr;
        private InetAddress srcaddr;
        private Long lastUsed;
        private LifetimeCurrent ltimeVal;
        private Integer replayThresh;
        private Integer etimerThresh;
        private Integer mtimerThresh;
        private Integer saExtraFlags;
        private Integer tfcPad;
        private SecurityContext secCtx;
        private OffloadDevice offload;
        private Integer saDir;
        private Integer natKeepaliveInterval;
        private Integer pcpu;
        private final List<NlAttribute> unknown = new ArrayList<>();

        private Builder(SaInfo info) {
            this.info = Objects.requireNonNull(info, "info");
        }

        private Builder(SecurityAssociation sa) {
            info = sa.info;
            aead = sa.aead;
            auth = sa.auth;
            authTrunc = sa.authTrunc;
            crypt = sa.crypt;
            comp = sa.comp;
            encap = sa.encap;
            mark = sa.mark;
            setMark = sa.setMark;
            setMarkMask = sa.setMarkMask;
            ifId = sa.ifId;
            replay = sa.replay;
            replayEsn = sa.replayEsn;
            coaddr = sa.coaddr;
            srcaddr = sa.srcaddr;
            lastUsed = sa.lastUsed;
            ltimeVal = sa.ltimeVal;
            replayThresh = sa.replayThresh;
            etimerThresh = sa.etimerThresh;
            mtimerThresh = sa.mtimerThresh;
            saExtraFlags = sa.saExtraFlags;
            tfcPad = sa.tfcPad;
            secCtx = sa.secCtx;
            offload = sa.offload;
            saDir = sa.saDir;
            natKeepaliveInterval = sa.natKeepaliveInterval;
            pcpu = sa.pcpu;
            unknown.addAll(sa.unknownAttributes);
        }

        public Builder info(SaInfo v) {
            info = Objects.requireNonNull(v, "info");
            return this;
        }

        public Builder aead(AeadAlgorithm v) {
            aead = v;
            return this;
        }

        public Builder auth(Algorithm v) {
            auth = v;
            return this;
        }

        public Builder authTrunc(AuthAlgorithm v) {
            authTrunc = v;
            return this;
        }

        public Builder crypt(Algorithm v) {
            crypt = v;
            return this;
        }

        public Builder comp(Algorithm v) {
            comp = v;
            return this;
        }

        public Builder encap(EncapTemplate v) {
            encap = v;
            return this;
        }

        public Builder mark(Mark v) {
            mark = v;
            return this;
        }

        public Builder setMark(Integer v) {
            setMark = v;
            return this;
        }

        public Builder setMarkMask(Integer v) {
            setMarkMask = v;
            return this;
        }

        public Builder ifId(Integer v) {
            ifId = v;
            return this;
        }

        public Builder replay(ReplayState v) {
            replay = v;
            return this;
        }

        public Builder replayEsn(ReplayStateEsn v) {
            replayEsn = v;
            return this;
        }

        public Builder coaddr(InetAddress v) {
            coaddr = v;
            return this;
        }

        public Builder srcaddr(InetAddress v) {
            srcaddr = v;
            return this;
        }

        public Builder lastUsed(Long v) {
            lastUsed = v;
            return this;
        }

        public Builder ltimeVal(LifetimeCurrent v) {
            ltimeVal = v;
            return this;
        }

        public Builder replayThresh(Integer v) {
            replayThresh = v;
            return this;
        }

        public Builder etimerThresh(Integer v) {
            etimerThresh = v;
            return this;
        }

        public Builder mtimerThresh(Integer v) {
            mtimerThresh = v;
            return this;
        }

        public Builder saExtraFlags(Integer v) {
            saExtraFlags = v;
            return this;
        }

        public Builder tfcPad(Integer v) {
            tfcPad = v;
            return this;
        }

        public Builder secCtx(SecurityContext v) {
            secCtx = v;
            return this;
        }

        public Builder offload(OffloadDevice v) {
            offload = v;
            return this;
        }

        public Builder saDir(Integer v) {
            saDir = v;
            return this;
        }

        public Builder natKeepaliveInterval(Integer v) {
            natKeepaliveInterval = v;
            return this;
        }

        public Builder pcpu(Integer v) {
            pcpu = v;
            return this;
        }

        public Builder unknownAttributes(List<NlAttribute> v) {
            unknown.clear();
            unknown.addAll(v);
            return this;
        }

        public Builder addUnknownAttribute(NlAttribute a) {
            unknown.add(Objects.requireNonNull(a));
            return this;
        }

        /**
         * Takes one attribute of a received message into its typed field. Unknown attributes, and a
         * repeat of one already taken, are kept raw so that nothing is lost.
         */
        void accept(NlAttribute a) {
            int family = info.family();
            switch (a.type()) {
                case XfrmAttrType.ALG_AEAD -> {
                    if (aead == null) {
                        aead = StateCodec.exact(a, "XFRMA_ALG_AEAD", AeadAlgorithm::decode);
                        return;
                    }
                }
                case XfrmAttrType.ALG_AUTH -> {
                    if (auth == null) {
                        auth = StateCodec.exact(a, "XFRMA_ALG_AUTH", Algorithm::decode);
                        return;
                    }
                }
                case XfrmAttrType.ALG_AUTH_TRUNC -> {
                    if (authTrunc == null) {
                        authTrunc = StateCodec.exact(a, "XFRMA_ALG_AUTH_TRUNC", AuthAlgorithm::decode);
                        return;
                    }
                }
                case XfrmAttrType.ALG_CRYPT -> {
                    if (crypt == null) {
                        crypt = StateCodec.exact(a, "XFRMA_ALG_CRYPT", Algorithm::decode);
                        return;
                    }
                }
                case XfrmAttrType.ALG_COMP -> {
                    if (comp == null) {
                        comp = StateCodec.exact(a, "XFRMA_ALG_COMP", Algorithm::decode);
                        return;
                    }
                }
                case XfrmAttrType.ENCAP -> {
                    if (encap == null) {
                        encap = StateCodec.exact(a, "XFRMA_ENCAP", b -> EncapTemplate.decode(b, family));
                        return;
                    }
                }
                case XfrmAttrType.MARK -> {
                    if (mark == null) {
                        mark = StateCodec.exact(a, "XFRMA_MARK", Mark::decode);
                        return;
                    }
                }
                case XfrmAttrType.SET_MARK -> {
                    if (setMark == null) {
                        setMark = StateCodec.u32(a, "XFRMA_SET_MARK");
                        return;
                    }
                }
                case XfrmAttrType.SET_MARK_MASK -> {
                    if (setMarkMask == null) {
                        setMarkMask = StateCodec.u32(a, "XFRMA_SET_MARK_MASK");
                        return;
                    }
                }
                case XfrmAttrType.IF_ID -> {
                    if (ifId == null) {
                        ifId = StateCodec.u32(a, "XFRMA_IF_ID");
                        return;
                    }
                }
                case XfrmAttrType.REPLAY_VAL -> {
                    if (replay == null) {
                        replay = StateCodec.exact(a, "XFRMA_REPLAY_VAL", ReplayState::decode);
                        return;
                    }
                }
                case XfrmAttrType.REPLAY_ESN_VAL -> {
                    if (replayEsn == null) {
                        replayEsn = StateCodec.exact(a, "XFRMA_REPLAY_ESN_VAL", ReplayStateEsn::decode);
                        return;
                    }
                }
                case XfrmAttrType.COADDR -> {
                    if (coaddr == null) {
                        coaddr = StateCodec.address(a, family, "XFRMA_COADDR");
                        return;
                    }
                }
                case XfrmAttrType.SRCADDR -> {
                    if (srcaddr == null) {
                        srcaddr = StateCodec.address(a, family, "XFRMA_SRCADDR");
                        return;
                    }
                }
                case XfrmAttrType.LASTUSED -> {
                    if (lastUsed == null) {
                        lastUsed = StateCodec.u64(a, "XFRMA_LASTUSED");
                        return;
                    }
                }
                case XfrmAttrType.LTIME_VAL -> {
                    if (ltimeVal == null) {
                        ltimeVal = StateCodec.exact(a, "XFRMA_LTIME_VAL", LifetimeCurrent::decode);
                        return;
                    }
                }
                case XfrmAttrType.REPLAY_THRESH -> {
                    if (replayThresh == null) {
                        replayThresh = StateCodec.u32(a, "XFRMA_REPLAY_THRESH");
                        return;
                    }
                }
                case XfrmAttrType.ETIMER_THRESH -> {
                    if (etimerThresh == null) {
                        etimerThresh = StateCodec.u32(a, "XFRMA_ETIMER_THRESH");
                        return;
                    }
                }
                case XfrmAttrType.MTIMER_THRESH -> {
                    if (mtimerThresh == null) {
                        mtimerThresh = StateCodec.u32(a, "XFRMA_MTIMER_THRESH");
                        return;
                    }
                }
                case XfrmAttrType.SA_EXTRA_FLAGS -> {
                    if (saExtraFlags == null) {
                        saExtraFlags = StateCodec.u32(a, "XFRMA_SA_EXTRA_FLAGS");
                        return;
                    }
                }
                case XfrmAttrType.TFCPAD -> {
                    if (tfcPad == null) {
                        tfcPad = StateCodec.u32(a, "XFRMA_TFCPAD");
                        return;
                    }
                }
                case XfrmAttrType.SEC_CTX -> {
                    if (secCtx == null) {
                        secCtx = StateCodec.exact(a, "XFRMA_SEC_CTX", SecurityContext::decode);
                        return;
                    }
                }
                case XfrmAttrType.OFFLOAD_DEV -> {
                    if (offload == null) {
                        offload = StateCodec.exact(a, "XFRMA_OFFLOAD_DEV", OffloadDevice::decode);
                        return;
                    }
                }
                case XfrmAttrType.SA_DIR -> {
                    if (saDir == null) {
                        saDir = StateCodec.u8(a, "XFRMA_SA_DIR");
                        return;
                    }
                }
                case XfrmAttrType.NAT_KEEPALIVE_INTERVAL -> {
                    if (natKeepaliveInterval == null) {
                        natKeepaliveInterval = StateCodec.u32(a, "XFRMA_NAT_KEEPALIVE_INTERVAL");
                        return;
                    }
                }
                case XfrmAttrType.SA_PCPU -> {
                    if (pcpu == null) {
                        pcpu = StateCodec.u32(a, "XFRMA_SA_PCPU");
                        return;
                    }
                }
                default -> {
                }
            }
            unknown.add(a);
        }

        public SecurityAssociation build() {
            return new SecurityAssociation(info, aead, auth, authTrunc, crypt, comp, encap, mark, setMark,
                    setMarkMask, ifId, replay, replayEsn, coaddr, srcaddr, lastUsed, ltimeVal, replayThresh,
                    etimerThresh, mtimerThresh, saExtraFlags, tfcPad, secCtx, offload, saDir, natKeepaliveInterval,
                    pcpu, unknown);
        }
    }
}
