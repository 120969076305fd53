package io.cxt.cxtp;

import java.net.InetSocketAddress;

/**
 * Where a transport hands received CXTP messages. Called on the transport's receive thread, one
 * message at a time; an exception thrown here is logged and counted, never fatal to the transport.
 */
@FunctionalInterface
public interface CxtpReceiver {

    /**
     * @param from the sender (for ICMP the port is 0)
     * @param message the decoded message
     * @param bytes the message octets as received (after removing any router channel envelope)
     */
    void received(InetSocketAddress from, CxtpMessage message, byte[] bytes);
}
