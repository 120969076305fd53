package io.cxt.agent.role;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.cxt.agent.view.ContextView;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.SpiReservations;
import io.cxt.cxtp.FeatureStatus;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.SecurityAssociation;

import io.cxt.agent.role.RouterCore.Peer;

/** The words of an access router's events and context views (SPI lists, SPI changes, CTDR statuses). */
final class RouterText {

    private RouterText() {
    }

    static ContextView view(MobileNodeContext c, InetAddress prev, String state, Peer peer, boolean predictive,
                             long ageNanos, ScheduledFuture<?> timer) {
        List<String> sas = new ArrayList<>();
        for (SecurityAssociation sa : c.securityAssociations()) {
            sas.add(protoName(sa.proto()) + " spi " + String.format("0x%08x", sa.spi()) + " "
                    + AddressText.of(sa.source()) + " -> " + AddressText.of(sa.destination()));
        }
        String ike = c.ikeContext() == null ? ""
                : String.format("0x%016xi/0x%016xr", c.ikeContext().spiInitiator(), c.ikeContext().spiResponder());
        InetAddress home = c.mobileNode().homeAddress();
        return new ContextView(home == null ? AddressText.of(prev) : AddressText.of(home), AddressText.of(prev), state,
                peer.settings.name(), predictive ? "predictive" : "reactive", sas, c.policies().size(), ike,
                ageNanos / 1_000_000, timer == null ? -1 : Math.max(0, timer.getDelay(TimeUnit.MILLISECONDS)));
    }

    static String protoName(int proto) {
        return switch (proto) {
            case 50 -> "esp";
            case 51 -> "ah";
            case 108 -> "comp";
            default -> "proto " + proto;
        };
    }

    static String spis(MobileNodeContext c) {
        if (c.securityAssociations().isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder("SPI");
        for (SecurityAssociation sa : c.securityAssociations()) {
            sb.append(' ').append(String.format("0x%08x", sa.spi()));
        }
        return sb.toString();
    }

    static String mappingText(SpiReservations r) {
        return r == null || r.mappings().isEmpty() ? "" : ", SPI changes " + r.mappings();
    }

    static String statusText(List<FeatureStatus> st) {
        List<String> out = new ArrayList<>();
        for (FeatureStatus f : st) {
            out.add(String.format("FPT 0x%04x: %s", f.featureProfileType(), StatusCodes.describe(f.statusCode())));
        }
        return out.isEmpty() ? "no detail" : String.join(", ", out);
    }
}
