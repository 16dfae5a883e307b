package dev.atoll.cluster;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import com.fasterxml.jackson.databind.jsontype.impl.StdTypeResolverBuilder;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Messages as CBOR with Jackson: a two-element array of the message's class name and its value.
 * Only registered types travel: records and enums, and sealed interfaces (or classes) with every
 * type they permit, transitively, and the records, enums and sealed types the components of a
 * registered record mention (so registering the top-level message types is enough). A field declared as a sealed type carries the class name of its
 * value; on reading, a name outside the registered hierarchy is refused (so bytes from the network
 * can never make this side instantiate an arbitrary class). Thread-safe.
 *
 * <pre>{@code
 * Serializer serializer = CborSerializer.of(Order.class, Command.class);   // Command: a sealed interface
 * }</pre>
 */
public final class CborSerializer implements Serializer {
    private final ObjectMapper mapper;
    /** Every class that may travel, by name; immutable after construction. */
    private final Map<String, Class<?>> accepted;

    private CborSerializer(Map<String, Class<?>> accepted) {
        this.accepted = Map.copyOf(accepted);
        ObjectMapper m = new ObjectMapper(new CBORFactory());
        m.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        m.configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, false);
        m.setDefaultTyping(new SealedTyping(new PermittedOnly(this.accepted))
                .init(JsonTypeInfo.Id.CLASS, null).inclusion(JsonTypeInfo.As.PROPERTY));
        this.mapper = m;
    }

    /** A serializer for {@code types} (records, enums, sealed interfaces and classes) and everything the sealed ones permit. */
    public static CborSerializer of(Class<?>... types) {
        return of(List.of(types));
    }

    /** {@link #of(Class[])} with a collection. */
    public static CborSerializer of(Collection<Class<?>> types) {
        Map<String, Class<?>> accepted = new HashMap<>();
        Deque<Class<?>> todo = new ArrayDeque<>(types);
        while (!todo.isEmpty()) {
            Class<?> type = todo.pop();
            if (accepted.containsKey(type.getName())) {
                continue;
            }
            if (type.isSealed()) {
                todo.addAll(List.of(type.getPermittedSubclasses()));
            } else if (type.isRecord()) {
                for (RecordComponent component : type.getRecordComponents()) {
                    addMessageTypes(component.getGenericType(), todo);
                }
            } else if (!type.isEnum()) {
                throw new IllegalArgumentException(type.getName() + " cannot be a message type: messages are records,"
                        + " enums or sealed interfaces whose implementations are records or enums");
            }
            accepted.put(type.getName(), type);
        }
        return new CborSerializer(accepted);
    }

    /** The records, enums and sealed types a record component's type mentions ({@code List<Shape>}: Shape). */
    private static void addMessageTypes(Type type, Deque<Class<?>> todo) {
        switch (type) {
            case Class<?> c when c.isArray() -> addMessageTypes(c.getComponentType(), todo);
            case Class<?> c when c.isRecord() || c.isEnum() || c.isSealed() -> todo.add(c);
            case ParameterizedType p -> {
                for (Type argument : p.getActualTypeArguments()) {
                    addMessageTypes(argument, todo);
                }
            }
            case GenericArrayType a -> addMessageTypes(a.getGenericComponentType(), todo);
            default -> { }
        }
    }

    @Override
    public byte[] toBytes(Object message) {
        Class<?> type = message.getClass();
        if (accepted.get(type.getName()) != type) {
            throw new SerializationException(type.getName() + " is not a registered message type of this serializer"
                    + " (register it, or the sealed interface it implements, with CborSerializer.of)", null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator generator = mapper.createGenerator(out)) {
            generator.writeStartArray(null, 2);
            generator.writeString(type.getName());
            mapper.writeValue(generator, message);
            generator.writeEndArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("a " + type.getName() + " cannot be serialized: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    @Override
    public Object fromBytes(byte[] bytes, int offset, int length) {
        try (JsonParser parser = mapper.createParser(bytes, offset, length)) {
            if (parser.nextToken() != JsonToken.START_ARRAY || parser.nextToken() != JsonToken.VALUE_STRING) {
                throw new SerializationException("not a message: expected [type name, value]", null);
            }
            String name = parser.getText();
            Class<?> type = accepted.get(name);
            if (type == null) {
                throw new SerializationException("a message of type " + name + ", which this side does not accept", null);
            }
            parser.nextToken();
            Object message = mapper.readValue(parser, type);
            if (parser.nextToken() != JsonToken.END_ARRAY) {
                throw new SerializationException("a " + name + " with something after it", null);
            }
            return message;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException s) {
                throw s;
            }
            throw new SerializationException("malformed message bytes: " + e.getMessage(), e);
        }
    }

    /** Type names only for values declared as a sealed type (interfaces and classes); nothing else carries one. */
    private static final class SealedTyping extends StdTypeResolverBuilder {
        private final PolymorphicTypeValidator validator;

        SealedTyping(PolymorphicTypeValidator validator) {
            this.validator = validator;
        }

        @Override
        public PolymorphicTypeValidator subTypeValidator(MapperConfig<?> config) {
            return validator;
        }

        @Override
        public com.fasterxml.jackson.databind.jsontype.TypeSerializer buildTypeSerializer(
                com.fasterxml.jackson.databind.SerializationConfig config, JavaType baseType,
                Collection<com.fasterxml.jackson.databind.jsontype.NamedType> subtypes) {
            return baseType.getRawClass().isSealed() ? super.buildTypeSerializer(config, baseType, subtypes) : null;
        }

        @Override
        public com.fasterxml.jackson.databind.jsontype.TypeDeserializer buildTypeDeserializer(
                com.fasterxml.jackson.databind.DeserializationConfig config, JavaType baseType,
                Collection<com.fasterxml.jackson.databind.jsontype.NamedType> subtypes) {
            return baseType.getRawClass().isSealed() ? super.buildTypeDeserializer(config, baseType, subtypes) : null;
        }
    }

    /** Accepts a class name only when it is a registered type (so a permitted subtype of a registered sealed type). */
    private static final class PermittedOnly extends PolymorphicTypeValidator.Base {
        private final Map<String, Class<?>> accepted;

        PermittedOnly(Map<String, Class<?>> accepted) {
            this.accepted = accepted;
        }

        @Override
        public Validity validateSubClassName(MapperConfig<?> config, JavaType baseType, String subClassName) {
            return accepted.containsKey(subClassName) ? Validity.ALLOWED : Validity.DENIED;
        }

        @Override
        public Validity validateSubType(MapperConfig<?> config, JavaType baseType, JavaType subType) {
            return accepted.get(subType.getRawClass().getName()) == subType.getRawClass() ? Validity.ALLOWED : Validity.DENIED;
        }
    }
}
