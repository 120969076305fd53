package io.cxt.ha;

import java.util.Objects;

/** One attribute of an HA message: its tag and a value of the tag's encoding. */
public record HaAttribute(HaAttributeType type, HaValue value) {
    public HaAttribute {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        boolean fits = switch (type.encoding()) {
            case IKE_SA_ID -> value instanceof HaValue.IkeSaId;
            case IDENTITY -> value instanceof HaValue.Identity;
            case HOST -> value instanceof HaValue.Host;
            case STRING -> value instanceof HaValue.Text;
            case U8 -> value instanceof HaValue.Number n && n.value() <= 0xff;
            case U16 -> value instanceof HaValue.Number n && n.value() <= 0xffff;
            case U32 -> value instanceof HaValue.Number;
            case CHUNK -> value instanceof HaValue.Chunk;
            case SECRET -> value instanceof HaValue.Secret;
            case TS -> value instanceof HaValue.TrafficSelector;
        };
        if (!fits) {
            throw new IllegalArgumentException(type + " cannot hold " + value.getClass().getSimpleName()
                    + (value instanceof HaValue.Number ? " " + value : ""));
        }
    }

    public static HaAttribute number(HaAttributeType type, long value) {
        return new HaAttribute(type, new HaValue.Number(value));
    }

    @Override
    public String toString() {
        return type + "=" + value;
    }
}
