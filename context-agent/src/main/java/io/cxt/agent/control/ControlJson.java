package io.cxt.agent.control;

import java.io.IOException;
import java.net.InetAddress;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import io.cxt.xfrm.KeyBytes;

/**
 * The JSON mapper of the control protocol: one line per object (no indentation), addresses as
 * text, key material always "&lt;redacted&gt;" (a control reply never carries keys), instants and
 * durations as ISO-8601 text.
 */
public final class ControlJson {
    private static final ObjectMapper MAPPER = build();

    private ControlJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper build() {
        SimpleModule m = new SimpleModule("cxt-control");
        m.addSerializer(InetAddress.class, new StdSerializer<>(InetAddress.class) {
            @Override
            public void serialize(InetAddress a, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(io.cxt.xfrm.AddressText.of(a));
            }
        });
        m.addSerializer(KeyBytes.class, ToStringSerializer.instance); // its toString is redacted
        m.addSerializer(java.time.Instant.class, ToStringSerializer.instance);
        m.addSerializer(java.time.Duration.class, ToStringSerializer.instance);
        m.addSerializer(java.util.Optional.class, new StdSerializer<>(java.util.Optional.class) {
            @Override
            public void serialize(java.util.Optional o, JsonGenerator g, SerializerProvider p) throws IOException {
                if (o.isPresent()) {
                    p.defaultSerializeValue(o.get(), g);
                } else {
                    g.writeNull();
                }
            }
        });
        return new ObjectMapper()
                .registerModule(m)
                .disable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }
}
