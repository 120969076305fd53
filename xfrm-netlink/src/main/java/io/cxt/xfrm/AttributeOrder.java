package io.cxt.xfrm;

/**
 * The order in which a codec writes the netlink attributes after a fixed structure. The kernel
 * reads attributes in any order, but userspace tools and the kernel itself write them in different
 * fixed orders, and a lossless codec must reproduce either exactly:
 * {@link #REQUEST} is what cxt sends (iproute2's order, so requests equal iproute2's byte for byte);
 * {@link #KERNEL} is what the kernel writes in replies, dumps and notifications, so that re-encoding
 * a decoded kernel message gives back the kernel's bytes. Attributes that a codec does not know are
 * written last in both orders, in the order they were received.
 */
public enum AttributeOrder {
    /** The order userspace sends (iproute2 6.x). */
    REQUEST,
    /** The order the kernel emits. */
    KERNEL
}
