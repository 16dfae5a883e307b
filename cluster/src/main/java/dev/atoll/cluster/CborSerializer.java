package dev.atoll.cluster;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import com.fasterxml.jackson.databind.jsontype.impl.StdTypeResolverBuilder;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.atoll.actors.Reply;

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
import java.util.function.Function;

/**
 * Messages as CBOR with Jackson: a two-element array of the message's class name and its value.
 * Only registered types travel: records and enums, and sealed interfaces (or classes) with every
 * type they permit, transitively, and the records, enums and sealed types the components of a
 * registered record mention (so registering the top-level message types is enough). A field declared as a sealed type carries the class name of its
 * value; on reading, a name outside the registered hierarchy is refused (so bytes from the network
 * can never make this side instantiate an arbitrary class). Always accepted too: {@link ActorAddress},
 * {@link AskFailure}, the cluster's own control messages and the JDK's strings and boxed primitives (the usual answers to an ask). A
 * {@link Reply} component travels as its {@link ClusterReply#address()}; any other reply (of a local
 * ask) cannot travel. Thread-safe.
 *
 * <pre>{@code
 * Serializer serializer = CborSerializer.of(Order.class, Command.class);   // Command: a sealed interface
 * }</pre>
 */
public final class CborSerializer implements Serializer {
    /** Types every serializer accepts: the cluster's own records and the usual answers to an ask. */
    private static final List<Class<?>> ALWAYS = List.of(ActorAddress.class, AskFailure.class, String.class,
            Long.class, Integer.class, Short.class, Byte.class, Double.class, Float.class, Boolean.class, Character.class);
    /** The deserialization attribute holding the function that rebuilds replies. */
    private static final String REPLIES = "atoll.replies";

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
        m.registerModule(new SimpleModule("atoll-replies")
                .addSerializer(Reply.class, new ReplyWriter())
                .addDeserializer(Reply.class, new ReplyReader()));
        this.mapper = m;
    }

    /** A serializer for {@code types} (records, enums, sealed interfaces and classes) and everything the sealed ones permit. */
    public static CborSerializer of(Class<?>... types) {
        return of(List.of(types));
    }

    /** {@link #of(Class[])} with a collection. */
    public static CborSerializer of(Collection<Class<?>> types) {
        Map<String, Class<?>> accepted = new HashMap<>();
        for (Class<?> value : ALWAYS) {
            accepted.put(value.getName(), value);
        }
        Deque<Class<?>> todo = new ArrayDeque<>(types);
        todo.add(Control.class);   // the cluster's own messages (death watch, lookup, sharding)
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
            case Class<?> c when c == Reply.class -> { }   // travels as an address (ReplyWriter)
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
    public Object fromBytes(byte[] bytes, int offset, int length, Function<ActorAddress, ? extends Reply<?>> replies) {
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
            Object message = mapper.readerFor(type).withAttribute(REPLIES, replies).readValue(parser);
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

    /** Writes a {@link ClusterReply} as its address: [node, incarnation, shard, id]. */
    @SuppressWarnings("rawtypes")
    private static final class ReplyWriter extends StdSerializer<Reply> {
        ReplyWriter() {
            super(Reply.class);
        }

        @Override
        public void serialize(Reply reply, JsonGenerator out, SerializerProvider provider) throws IOException {
            if (!(reply instanceof ClusterReply<?> remote)) {
                throw new IOException("the Reply of an ask made in this process (" + reply.getClass().getSimpleName()
                        + ") cannot travel to another node: ask the remote reference (RemoteRef.ask) instead");
            }
            ActorAddress a = remote.address();
            out.writeStartArray(reply, 4);
            out.writeString(a.node());
            out.writeNumber(a.incarnation());
            out.writeNumber(a.shard());
            out.writeNumber(a.id());
            out.writeEndArray();
        }
    }

    /** Reads [node, incarnation, shard, id] and rebuilds the reply with the function the caller passed. */
    @SuppressWarnings("rawtypes")
    private static final class ReplyReader extends StdDeserializer<Reply> {
        ReplyReader() {
            super(Reply.class);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Reply deserialize(JsonParser in, DeserializationContext context) throws IOException {
            if (!in.isExpectedStartArrayToken()) {
                throw new IOException("a Reply must be [node, incarnation, shard, id]");
            }
            String node = in.nextTextValue();
            long incarnation = nextLong(in);
            int shard = (int) nextLong(in);
            long id = nextLong(in);
            if (node == null || in.nextToken() != JsonToken.END_ARRAY) {
                throw new IOException("a Reply must be [node, incarnation, shard, id]");
            }
            Function<ActorAddress, ? extends Reply<?>> replies =
                    (Function<ActorAddress, ? extends Reply<?>>) context.getAttribute(REPLIES);
            return replies.apply(new ActorAddress(node, incarnation, shard, id));
        }

        private static long nextLong(JsonParser in) throws IOException {
            if (in.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                throw new IOException("a Reply must be [node, incarnation, shard, id]");
            }
            return in.getLongValue();
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
            return typed(baseType) ? super.buildTypeSerializer(config, baseType, subtypes) : null;
        }

        @Override
        public com.fasterxml.jackson.databind.jsontype.TypeDeserializer buildTypeDeserializer(
                com.fasterxml.jackson.databind.DeserializationConfig config, JavaType baseType,
                Collection<com.fasterxml.jackson.databind.jsontype.NamedType> subtypes) {
            return typed(baseType) ? super.buildTypeDeserializer(config, baseType, subtypes) : null;
        }

        private static boolean typed(JavaType type) {
            return type.getRawClass().isSealed() && type.getRawClass() != Reply.class;
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
