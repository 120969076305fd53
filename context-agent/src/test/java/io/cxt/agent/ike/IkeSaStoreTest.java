package io.cxt.agent.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.cxt.agent.control.ControlException;
import io.cxt.agent.ike.IkeAgentFixtures.Events;
import io.cxt.agent.view.IkeSaView;
import io.cxt.agent.view.OperationResult;
import io.cxt.ike.IkeMessageIds;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.IkeSaContextJson;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.SpiOwner;
import io.cxt.ike.UpdateSpiNotify;

class IkeSaStoreTest {

    /** The example document of docs/ike.md. */
    static String docExample() throws Exception {
        String md = Files.readString(Path.of("..", "docs", "ike.md"));
        Matcher m = Pattern.compile("<!-- example-context -->\\s*```json\\n(.*?)```", Pattern.DOTALL).matcher(md);
        assertTrue(m.find(), "docs/ike.md has the example");
        return m.group(1);
    }

    @Test
    void importListShowAndRemoveThroughTheControlCommands() throws Exception {
        Events events = new Events();
        IkeSaStore store = new IkeSaStore(events);
        String json = docExample();
        Object r = store.handleIke("ike-import", Map.of("json", json, "mn", "2001:db8:aa::10"));
        OperationResult ok = (OperationResult) r;
        assertTrue(ok.ok());
        assertEquals("8a3f1c2b4d5e6f70", ok.details().get("initiatorSpi"));
        assertEquals(1, events.of("ike-imported").size());

        @SuppressWarnings("unchecked")
        List<IkeSaView> list = (List<IkeSaView>) store.handleIke("ike-list", Map.of());
        assertEquals(1, list.size());
        IkeSaView v = (IkeSaView) store.handleIke("ike-show", Map.of("spi", "0x8a3f1c2b4d5e6f70"));
        assertEquals(list.get(0), v);
        assertEquals("8a3f1c2b4d5e6f70", v.initiatorSpi());
        assertEquals("1b2c3d4e5f607182", v.responderSpi());
        assertEquals("responder", v.role());
        assertEquals("aes256-sha256-prfsha256-ecp256", v.algorithms());
        assertEquals("ID_RFC822_ADDR mn@example.org", v.peerIdentity());
        assertEquals("3 / 5", v.messageIds());
        assertEquals(List.of("esp in 0xc2b1a001 out 0xc1f0e002"), v.childSas());
        assertEquals("2001:db8:aa::10", v.owner());
        // No key, SKEYSEED or PSK in what the control socket shows.
        IkeSaContext sa = store.get(0x8a3f1c2b4d5e6f70L).orElseThrow();
        String shown = v.toString() + list;
        for (String secret : List.of(sa.keys().skD().revealHex(), sa.keys().skEi().revealHex(),
                sa.keys().skAr().revealHex(), "616e206578616d706c65")) {
            assertFalse(shown.contains(secret.replace("0x", "").substring(0, 16)), "leaks " + secret.substring(0, 6));
        }

        assertThrows(ControlException.class, () -> store.handleIke("ike-show", Map.of("spi", "0x1")));
        assertThrows(ControlException.class, () -> store.handleIke("ike-show", Map.of("spi", "xyz")));
        assertThrows(ControlException.class, () -> store.handleIke("ike-import", Map.of("json", "{}")));
        ControlException redacted = assertThrows(ControlException.class, () -> store.handleIke("ike-import",
                Map.of("json", IkeSaContextJson.write(sa, true))));
        assertFalse(redacted.getMessage().isEmpty());
        assertThrows(ControlException.class, () -> store.handleIke("ike-frobnicate", Map.of()));

        byte[] before = sa.keys().skEi().bytes();
        assertTrue(before[0] != 0 || before[1] != 0);
        store.handleIke("ike-remove", Map.of("spi", "8a3f1c2b4d5e6f70"));
        assertEquals(0, store.size());
        for (byte b : sa.keys().skEi().bytes()) {
            assertEquals(0, b, "removed SA's keys are wiped");
        }
        assertThrows(ControlException.class, () -> store.handleIke("ike-remove", Map.of("spi", "8a3f1c2b4d5e6f70")));
    }

    @Test
    void updatesAreAtomicAndFollowAnInitiatorSpiChange() throws Exception {
        IkeSaStore store = new IkeSaStore(null);
        IkeSaContext mn = IkeAgentFixtures.mobileNode(IkeAgentFixtures.CBC, 0, 0);
        store.put(mn, "mn");
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    store.update(IkeAgentFixtures.SPI_I, s -> s.withMessageIds(new IkeMessageIds(
                            s.messageIds().nextRequestToSend() + 1, s.messageIds().nextRequestExpected())));
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(4000, store.get(IkeAgentFixtures.SPI_I).orElseThrow().messageIds().nextRequestToSend());

        store.update(IkeAgentFixtures.SPI_I, s -> s.applySpiUpdate(
                new UpdateSpiNotify(ProtocolId.IKE, IkeAgentFixtures.SPI_I, 0x42L, SpiOwner.INITIATOR)));
        assertTrue(store.get(IkeAgentFixtures.SPI_I).isEmpty());
        assertEquals("mn", store.entry(0x42L).orElseThrow().owner());
        assertEquals(store.entry(0x42L), store.findByOwner("mn"));
        assertThrows(IllegalArgumentException.class, () -> store.update(1L, s -> s));
        // Updates never wipe: the derived context shares the keys.
        assertEquals(mn.keys(), store.get(0x42L).orElseThrow().keys());
        assertFalse(store.get(0x42L).orElseThrow().keys().skEi().bytes()[0] == 0
                && store.get(0x42L).orElseThrow().keys().skEi().bytes()[1] == 0);
    }
}
