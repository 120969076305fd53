package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;


class UpdateSpiNotifyTest {
    private static final HexFormat HEX = HexFormat.of();


    @SeededTest
    void roundTripsThroughTheNotifyAndTheWire(Gen g) throws IkeDecodeException  {
        UpdateSpiNotify u = IkeGen.updateSpi(g);
        NotifyPayload n = u.toNotify();
        assertEquals(u, UpdateSpiNotify.fromNotify(n));
        byte[] wire = PayloadChain.encode(List.of(n));
        NotifyPayload back = (NotifyPayload) PayloadChain.decode(PayloadType.NOTIFY, wire, 0, wire.length, false).get(0);
        assertEquals(u, UpdateSpiNotify.fromNotify(back));
    }

    @Test
    void espLayoutOnTheWire() {
        byte[] wire = PayloadChain.encode(List.of(
                new UpdateSpiNotify(ProtocolId.ESP, 0xc0000001L, 0xc0000002L, SpiOwner.RESPONDER).toNotify()));
        // generic header: next 0, length 20 | protocol 3 (ESP), SPI size 4, type 0xcb00 | old SPI
        // | data: new SPI, then the D-bit word (D=1 -> 0x80000000)
        assertEquals("00000014" + "0304cb00" + "c0000001" + "c0000002" + "80000000", HEX.formatHex(wire));
    }

    @Test
    void ikeLayoutOnTheWire() {
        byte[] wire = PayloadChain.encode(List.of(
                new UpdateSpiNotify(ProtocolId.IKE, 0x0102030405060708L, 0x8877665544332211L, SpiOwner.INITIATOR)
                        .toNotify()));
        assertEquals("0000001c" + "0108cb00" + "0102030405060708" + "8877665544332211" + "00000000",
                HEX.formatHex(wire));
    }

    @Test
    void paddingBitsAreIgnoredOnReceipt() throws IkeDecodeException {
        NotifyPayload n = new NotifyPayload(3, NotifyType.UPDATE_SPI, HEX.parseHex("00000100"),
                HEX.parseHex("00000200" + "ffffffff"));
        UpdateSpiNotify u = UpdateSpiNotify.fromNotify(n);
        assertEquals(SpiOwner.RESPONDER, u.owner());
        assertEquals(0x200, u.newSpi());
        n = new NotifyPayload(3, NotifyType.UPDATE_SPI, HEX.parseHex("00000100"), HEX.parseHex("00000200" + "7fffffff"));
        assertEquals(SpiOwner.INITIATOR, UpdateSpiNotify.fromNotify(n).owner());
    }

    @Test
    void malformedNotifiesAreRejectedWithAReason() {
        byte[] spi4 = HEX.parseHex("00000100");
        byte[] data4 = HEX.parseHex("0000020080000000");
        assertMalformed(new NotifyPayload(0, NotifyType.UPDATE_SPI, spi4, data4), "protocol ID 0");
        assertMalformed(new NotifyPayload(4, NotifyType.UPDATE_SPI, spi4, data4), "protocol ID 4");
        assertMalformed(new NotifyPayload(1, NotifyType.UPDATE_SPI, spi4, data4), "SPI size 4, expected 8");
        assertMalformed(new NotifyPayload(3, NotifyType.UPDATE_SPI, spi4, Arrays.copyOf(data4, 7)), "expected 8");
        assertMalformed(new NotifyPayload(3, NotifyType.UPDATE_SPI, spi4, Arrays.copyOf(data4, 4)), "expected 8");
        assertMalformed(new NotifyPayload(3, NotifyType.UPDATE_SPI, new byte[4], data4), "zero SPI");
        assertMalformed(new NotifyPayload(3, NotifyType.UPDATE_SPI, spi4, HEX.parseHex("0000000080000000")),
                "zero SPI");
        assertMalformed(new NotifyPayload(3, NotifyType.UPDATE_SA_ADDRESSES, spi4, data4), "not UPDATE_SPI");
    }

    private static void assertMalformed(NotifyPayload n, String expected) {
        IkeDecodeException e = assertThrows(IkeDecodeException.class, () -> UpdateSpiNotify.fromNotify(n));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void recordRejectsImpossibleSpis() {
        assertThrows(IllegalArgumentException.class, () -> new UpdateSpiNotify(ProtocolId.ESP, 0, 1, SpiOwner.INITIATOR));
        assertThrows(IllegalArgumentException.class,
                () -> new UpdateSpiNotify(ProtocolId.ESP, 1, 0x100000000L, SpiOwner.INITIATOR));
        assertThrows(IllegalArgumentException.class, () -> new UpdateSpiNotify(ProtocolId.IKE, 5, 0, SpiOwner.RESPONDER));
    }

    @Test
    void vendorIdIsTheDocumentedHashAndTheNotifyTypeIsPrivateAndClearOfStrongSwan() throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256")
                .digest(CxtExtension.VENDOR_ID_TEXT.getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(Arrays.copyOf(hash, 16), CxtExtension.vendorId());
        assertEquals("b9a624a2a06b00afc32e06438f95d737", HEX.formatHex(CxtExtension.vendorId()));
        assertEquals(51968, NotifyType.UPDATE_SPI);
        assertTrue(NotifyType.UPDATE_SPI >= 40960 && NotifyType.UPDATE_SPI <= 65535);
        assertFalse(NotifyType.UPDATE_SPI >= 40961 && NotifyType.UPDATE_SPI <= 40969);
    }
}
