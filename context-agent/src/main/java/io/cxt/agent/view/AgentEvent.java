package io.cxt.agent.view;

/**
 * Something operators and scripts want to know about (answer to {@code events}, also logged).
 *
 * @param id increasing event number (for {@code events since=ID})
 * @param time ISO-8601 instant
 * @param kind e.g. "context-received", "context-activated", "context-removed", "transfer-failed",
 *             "ctar-rejected", "protection-rejected", "spi-update-sent", "spi-update-applied",
 *             "ike-full-negotiation-required"
 * @param mobileNode the MN's address or empty
 * @param detail one line for humans
 */
public record AgentEvent(long id, String time, String kind, String mobileNode, String detail) {
}
