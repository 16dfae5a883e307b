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
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.DatabindContext;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import com.fasterxml.jackson.databind.jsontype.impl.StdTypeResolverBuilder;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.atoll.actors.ActorRef;
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
import java.util.concurrent.ConcurrentHashMap;

/**
 * Messages as CBOR with Jackson: a two-element array of the message's class name and its value.
 * Only registered types travel: records and enums, and sealed interfaces (or classes) with every
 * type they permit, transitively, and the records, enums and sealed types the components of a
 * registered record mention (so registering the top-level message types is enough). A field declared as a sealed type carries the class name of its
 * value; on reading, a name outside the registered hierarchy is refused (so bytes from the network
 * can never make this side instantiate an arbitrary class). Always accepted too: {@link ActorAddress},
 * {@link AskFailure}, the cluster's own control messages and the JDK's strings and boxed primitives (the usual answers to an ask).
 * An {@link ActorRef} component (also inside a collection or array) travels as the address
 * {@link Serializer.Refs#addressOf} gives and arrives as the reference {@link Serializer.Refs#refFor}
 * makes of it; a {@link Reply} component travels as its {@link ClusterReply#address()}; any other
 * reply (of a local ask) cannot travel. Both are written as {@code [node, incarnation, shard, id]}.
 * Thread-safe.
 *
 * <pre>{@code
 * Serializer serializer = CborSerializer.of(Order.class, Command.class);   // Command: a sealed interface
 * }</pre>
 */
public final class CborSerializer implements Serializer {
    /** Types every serializer accepts: the cluster's own records and the usual answers to an ask. */
    private static final List<Class<?>> ALWAYS = List.of(ActorAddress.class, AskFailure.class, String.class,
            Long.class, Integer.class, Short.class, Byte.class, Double.class, Float.class, Boolean.class, Character.class);
    /** The (de)serialization attribute holding the {@link Serializer.Refs} references are written and read with. */
    private static final String REFS = "atoll.refs";

    private final ObjectMapper mapper;
    /** Every class that may travel, by name; immutable after construction. */
    private final Map<String, Class<?>> accepted;
    /**
     * The writer and readers bound to the last {@link Serializer.Refs} used (in practice one node's, for
     * the node's life), so a message costs no new writer or reader; replaced whole: volatile.
     */
    private volatile Bound bound;

    /** A writer and per-type readers that carry {@code refs} as their {@link #REFS} attribute. */
    private record Bound(Refs refs, ObjectWriter writer, ConcurrentHashMap<Class<?>, ObjectReader> readers) {
    }

    private CborSerializer(Map<String, Class<?>> accepted) {
        this.accepted = Map.copyOf(accepted);
        ObjectMapper m = new ObjectMapper(new CBORFactory());
        m.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        m.configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, false);
        m.setDefaultTyping(new SealedTyping(new PermittedOnly(this.accepted))
                .init(JsonTypeInfo.Id.CLASS, null).inclusion(JsonTypeInfo.As.PROPERTY));
        m.registerModule(new SimpleModule("atoll-references")
                .addSerializer(Reply.class, new ReplyWriter())
                .addDeserializer(Reply.class, new ReplyReader())
                .addSerializer(ActorRef.class, new RefWriter())
                .addDeserializer(ActorRef.class, new RefReader()));
        this.mapper = m;
        this.bound = bind(Refs.NONE);
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
            case Class<?> c when c == Reply.class || c == ActorRef.class -> { }   // travel as addresses (ReplyWriter, RefWriter)
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

    private Bound bind(Refs refs) {
        Bound now = bound;
        if (now == null || now.refs() != refs) {
            now = new Bound(refs, mapper.writer().withAttribute(REFS, refs), new ConcurrentHashMap<>());
            bound = now;
        }
        return now;
    }

    @Override
    public byte[] toBytes(Object message, Refs refs) {
        Class<?> type = message.getClass();
        if (accepted.get(type.getName()) != type) {
            throw new SerializationException(type.getName() + " is not a registered message type of this serializer"
                    + " (register it, or the sealed interface it implements, with CborSerializer.of)", null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator generator = mapper.createGenerator(out)) {
            generator.writeStartArray(null, 2);
            generator.writeString(type.getName());
            bind(refs).writer().writeValue(generator, message);
            generator.writeEndArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("a " + type.getName() + " cannot be serialized: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    @Override
    public Object fromBytes(byte[] bytes, int offset, int length, Refs refs) {
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
            Bound with = bind(refs);
            Object message = with.readers().computeIfAbsent(type, t -> mapper.readerFor(t).withAttribute(REFS, refs))
                    .readValue(parser);
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
            writeAddress(remote.address(), reply, out);
        }
    }

    /** Rebuilds a reply from its address with the {@link Serializer.Refs} the caller passed. */
    @SuppressWarnings("rawtypes")
    private static final class ReplyReader extends StdDeserializer<Reply> {
        ReplyReader() {
            super(Reply.class);
        }

        @Override
        public Reply deserialize(JsonParser in, DeserializationContext context) throws IOException {
            return refs(context).replyFor(readAddress(in, "a Reply"));
        }
    }

    /** Writes an actor reference as the address the {@link Serializer.Refs} gives it (a local actor is exported). */
    @SuppressWarnings("rawtypes")
    private static final class RefWriter extends StdSerializer<ActorRef> {
        RefWriter() {
            super(ActorRef.class);
        }

        @Override
        public void serialize(ActorRef ref, JsonGenerator out, SerializerProvider provider) throws IOException {
            writeAddress(refs(provider).addressOf(ref), ref, out);
        }
    }

    /** Rebuilds an actor reference from its address: the local actor on its own node, a remote reference elsewhere. */
    @SuppressWarnings("rawtypes")
    private static final class RefReader extends StdDeserializer<ActorRef> {
        RefReader() {
            super(ActorRef.class);
        }

        @Override
        public ActorRef deserialize(JsonParser in, DeserializationContext context) throws IOException {
            return refs(context).refFor(readAddress(in, "an ActorRef"));
        }
    }

    private static Refs refs(DatabindContext context) {
        Object refs = context.getAttribute(REFS);
        return refs == null ? Refs.NONE : (Refs) refs;
    }

    private static void writeAddress(ActorAddress a, Object value, JsonGenerator out) throws IOException {
        out.writeStartArray(value, 4);
        out.writeString(a.node());
        out.writeNumber(a.incarnation());
        out.writeNumber(a.shard());
        out.writeNumber(a.id());
        out.writeEndArray();
    }

    /** Reads [node, incarnation, shard, id], the form {@link #writeAddress} gives {@code what}. */
    private static ActorAddress readAddress(JsonParser in, String what) throws IOException {
        if (!in.isExpectedStartArrayToken()) {
            throw new IOException(what + " must be [node, incarnation, shard, id]");
        }
        String node = in.nextTextValue();
        long incarnation = nextLong(in, what);
        int shard = (int) nextLong(in, what);
        long id = nextLong(in, what);
        if (node == null || in.nextToken() != JsonToken.END_ARRAY) {
            throw new IOException(what + " must be [node, incarnation, shard, id]");
        }
        return new ActorAddress(node, incarnation, shard, id);
    }

    private static long nextLong(JsonParser in, String what) throws IOException {
        if (in.nextToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new IOException(what + " must be [node, incarnation, shard, id]");
        }
        return in.getLongValue();
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
            Class<?> raw = type.getRawClass();
            return raw.isSealed() && raw != Reply.class && raw != ActorRef.class;   // both travel as addresses
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
