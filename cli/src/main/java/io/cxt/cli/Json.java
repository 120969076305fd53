package io.cxt.cli;

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
 * The one JSON mapper of cxctl. Addresses print as plain text ("10.0.0.1", "2001:db8::1"); key
 * material prints as "&lt;redacted&gt;" unless the user explicitly asked to see keys.
 */
public final class Json {
    private Json() {
    }

    public static ObjectMapper mapper(boolean revealKeys) {
        SimpleModule m = new SimpleModule("cxt");
        m.addSerializer(InetAddress.class, new StdSerializer<>(InetAddress.class) {
            @Override
            public void serialize(InetAddress a, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(Formats.address(a));
            }
        });
        m.addSerializer(KeyBytes.class, new StdSerializer<>(KeyBytes.class) {
            @Override
            public void serialize(KeyBytes k, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(revealKeys ? k.revealHex() : k.toString());
            }
        });
        // The IKE context carries keys in its encoding: only its SPIs and size are shown.
        m.addSerializer(io.cxt.context.IkeContextSlot.class, ToStringSerializer.instance);
        m.addSerializer(java.time.Instant.class, ToStringSerializer.instance);
        m.addSerializer(java.time.Duration.class, ToStringSerializer.instance);
        return new ObjectMapper()
                .registerModule(m)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }
}
