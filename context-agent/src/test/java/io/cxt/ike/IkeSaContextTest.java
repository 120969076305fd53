package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;


import io.cxt.xfrm.KeyBytes;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

class IkeSaContextTest {


    @SeededTest(cases = 200)
    void toStringRevealsNoSecret(Gen g) {
        IkeSaContext sa = IkeGen.context(g);
        IkeSaContext other = IkeGen.withOtherSecrets(sa);
        assertFalse(other.equals(sa), "the secrets differ");
        // Whatever the secrets are, the text is the same: it cannot depend on them.
        assertEquals(describe(sa), describe(other));
        assertTrue(describe(sa).contains("<redacted>"));
    }

    private static String describe(IkeSaContext sa) {
        return sa.toString() + sa.keys() + sa.keySeed() + sa.peer();
    }

    @Test
    void keysAreReDerivedFromSkeyseedWithTheOriginalSpis() {
        for (IkeAlgorithms alg : IkeFixtures.SUITES) {
            IkeSaContext sa = IkeFixtures.accessRouter(alg);
            assertEquals(Optional.of(sa.keys()), sa.rederiveKeys());
            IkeSaContext moved = sa.applySpiUpdate(
                    new UpdateSpiNotify(ProtocolId.IKE, IkeFixtures.SPI_R, 0x4242424242424242L, SpiOwner.RESPONDER));
            assertEquals(0x4242424242424242L, moved.responderSpi());
            assertEquals(Optional.of(sa.keys()), moved.rederiveKeys(), "an SPI change keeps the keys");
        }
    }

    @Test
    void rederivationDependsOnEveryInput() {
        IkeAlgorithms alg = IkeFixtures.CBC_SHA256;
        SkeySeed s = IkeFixtures.seed();
        IkeKeys base = s.deriveKeys(alg);
        assertFalse(base.equals(new SkeySeed(s.skeyseed(), s.nr(), s.ni(), s.initiatorSpi(), s.responderSpi())
                .deriveKeys(alg)));
        assertFalse(base.equals(new SkeySeed(s.skeyseed(), s.ni(), s.nr(), s.initiatorSpi() + 1, s.responderSpi())
                .deriveKeys(alg)));
        assertFalse(base.equals(new SkeySeed(KeyBytes.of(new byte[32]), s.ni(), s.nr(), s.initiatorSpi(),
                s.responderSpi()).deriveKeys(alg)));
        assertEquals(alg.keyMaterialLength(), base.skD().length() + base.skAi().length() + base.skAr().length()
                + base.skEi().length() + base.skEr().length() + base.skPi().length() + base.skPr().length());
    }

    @Test
    void ikeSpiUpdatesNameTheRightSpi() {
        IkeSaContext sa = IkeFixtures.mobileNode(IkeFixtures.GCM);
        IkeSaContext i = sa.applySpiUpdate(new UpdateSpiNotify(ProtocolId.IKE, IkeFixtures.SPI_I, 7, SpiOwner.INITIATOR));
        assertEquals(7, i.initiatorSpi());
        assertEquals(IkeFixtures.SPI_R, i.responderSpi());
        assertThrows(IllegalArgumentException.class, () -> sa.applySpiUpdate(
                new UpdateSpiNotify(ProtocolId.IKE, IkeFixtures.SPI_I, 7, SpiOwner.RESPONDER)));
    }

    @Test
    void childSpiUpdatesFollowTheOriginalRolesOnBothEnds() {
        // The access router (original responder) replaces its inbound ESP SPI: D = 1 (responder's SPI).
        UpdateSpiNotify u = new UpdateSpiNotify(ProtocolId.ESP, IkeFixtures.AR_ESP_IN, 0xc2000099L, SpiOwner.RESPONDER);
        IkeSaContext ar = IkeFixtures.accessRouter(IkeFixtures.CBC_SHA256).applySpiUpdate(u);
        assertEquals(List.of(new ChildSa(ProtocolId.ESP, 0xc2000099L, IkeFixtures.MN_ESP_IN)), ar.childSas());
        // On the mobile node (original initiator) the same notify changes the outbound SPI.
        IkeSaContext mn = IkeFixtures.mobileNode(IkeFixtures.CBC_SHA256).applySpiUpdate(u);
        assertEquals(List.of(new ChildSa(ProtocolId.ESP, IkeFixtures.MN_ESP_IN, 0xc2000099L)), mn.childSas());
        // The initiator's SPI is the MN's inbound one.
        UpdateSpiNotify v = new UpdateSpiNotify(ProtocolId.ESP, IkeFixtures.MN_ESP_IN, 0xc1000077L, SpiOwner.INITIATOR);
        assertEquals(0xc1000077L, IkeFixtures.mobileNode(IkeFixtures.GCM).applySpiUpdate(v).childSas().get(0).inboundSpi());
        assertEquals(0xc1000077L, IkeFixtures.accessRouter(IkeFixtures.GCM).applySpiUpdate(v).childSas().get(0)
                .outboundSpi());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IkeFixtures.mobileNode(
                IkeFixtures.GCM).applySpiUpdate(new UpdateSpiNotify(ProtocolId.AH, IkeFixtures.MN_ESP_IN, 5,
                        SpiOwner.INITIATOR)));
        assertTrue(e.getMessage().contains("no AH Child SA"), e.getMessage());
    }

    @Test
    void wipeZeroesEverySecret() {
        IkeSaContext sa = IkeFixtures.mobileNode(IkeFixtures.CBC_SHA512);
        sa.wipe();
        IkeKeys k = sa.keys();
        for (KeyBytes key : List.of(k.skD(), k.skAi(), k.skAr(), k.skEi(), k.skEr(), k.skPi(), k.skPr(),
                sa.keySeed().orElseThrow().skeyseed(), ((PeerCredential.PreSharedKey) sa.peer().credential()).key())) {
            assertEquals(KeyBytes.of(new byte[key.length()]), key);
        }
    }

    @Test
    void inconsistentContextsAreRefused() {
        IkeSaContext ok = IkeFixtures.mobileNode(IkeFixtures.CBC_SHA256);
        assertThrows(IllegalArgumentException.class, () -> new IkeSaContext(0, 1, true, ok.algorithms(), ok.keys(),
                Optional.empty(), ok.messageIds(), ok.lifetime(), ok.peer(), List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IkeSaContext(1, 2, true,
                IkeFixtures.CBC_SHA512, ok.keys(), Optional.empty(), ok.messageIds(), ok.lifetime(), ok.peer(),
                List.of()));
        assertTrue(e.getMessage().contains("SK_d"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ok.withChildSas(List.of(
                new ChildSa(ProtocolId.ESP, 5, 6), new ChildSa(ProtocolId.ESP, 5, 7))));
        assertThrows(IllegalArgumentException.class, () -> new ChildSa(ProtocolId.IKE, 5, 6));
        assertThrows(IllegalArgumentException.class, () -> new ChildSa(ProtocolId.ESP, 0x100000000L, 6));
        assertThrows(IllegalArgumentException.class, () -> new PadEntry(IdentityType.ID_FQDN,
                "x".getBytes(StandardCharsets.US_ASCII), AuthMethod.RSA_DIGITAL_SIGNATURE,
                new PeerCredential.PreSharedKey(KeyBytes.of(new byte[] {1}))));
        assertThrows(IllegalArgumentException.class, () -> new PadEntry(IdentityType.ID_FQDN,
                "x".getBytes(StandardCharsets.US_ASCII), AuthMethod.SHARED_KEY_MIC,
                new PeerCredential.Certificate(new byte[] {0x30})));
        assertThrows(IllegalArgumentException.class, () -> new PadEntry(IdentityType.ID_IPV4_ADDR, new byte[16],
                AuthMethod.DIGITAL_SIGNATURE, new PeerCredential.Certificate(new byte[] {0x30})));
        assertThrows(IllegalArgumentException.class, () -> new IkeLifetime(0, 100, 50));
        assertThrows(IllegalArgumentException.class, () -> new IkeMessageIds(-1, 0));
    }

    @Test
    void messageIdsStopBeforeTheLastValue() {
        IkeMessageIds ids = new IkeMessageIds(IkeMessageIds.EXHAUSTED - 1, 0);
        assertEquals(IkeMessageIds.EXHAUSTED, ids.afterSendingRequest().nextRequestToSend());
        assertThrows(IllegalStateException.class, () -> ids.afterSendingRequest().afterSendingRequest());
    }
}
