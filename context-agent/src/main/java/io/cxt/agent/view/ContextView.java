package io.cxt.agent.view;

import java.util.List;

/**
 * One mobile node's context as the agent holds it (answer to {@code contexts}). Never key bytes.
 *
 * @param mobileNode the MN's home address
 * @param careOf the MN's care-of address the context is keyed by (previous CoA on a nAR before activation)
 * @param state SNAPSHOT, SENT, HELD (nAR, received, not active), ACTIVE, REMOVING, FAILED
 * @param peer the other router of the transfer (name or address), empty if none
 * @param mode "predictive" or "reactive" (empty if not transferred)
 * @param sas one line per SA in ip-xfrm words, e.g. "esp spi 0x00001000 -> 0x0000c3a1 2001:db8:2::1 -> 2001:db8:1::1"
 * @param policies number of policies
 * @param ike the IKE SA's SPIs ("0x...i/0x...r") or empty
 * @param ageMillis since the context entered this state
 * @param expiresInMillis until the handover timer removes it (negative: no timer)
 */
public record ContextView(String mobileNode, String careOf, String state, String peer, String mode, List<String> sas,
        int policies, String ike, long ageMillis, long expiresInMillis) {
    public ContextView {
        sas = List.copyOf(sas);
    }
}
