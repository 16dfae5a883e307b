package dev.atoll.benchmarks.netty;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The endpoints of Atoll's HTTP example on Netty's codec, in the manner of Netty's own
 * {@code HttpHelloWorldServerHandler} and TechEmpower's Netty entry: one {@link DefaultFullHttpResponse}
 * per request (constant header values, the {@code Date} formatted once a second, headers without
 * validation), written on read and flushed in {@code channelReadComplete}. {@code /plaintext} answers
 * {@code Hello, World!} (a wrapped array, as TechEmpower's entry does), {@code /json} serializes
 * {@code {"message":"Hello, World!"}} per request with Jackson's streaming generator straight into a
 * pooled direct buffer, the generator kept per event loop as Atoll's example keeps one per shard
 * (TechEmpower's entry keeps its serializer per event loop too); anything else is 404. The keep-alive
 * rules are {@code HttpServerKeepAliveHandler}'s.
 */
final class NettyHttpHandler extends SimpleChannelInboundHandler<HttpObject> {
    private static final JsonFactory JSON = new JsonFactory();
    private static final FastThreadLocal<LoopJson> LOOP_JSON = new FastThreadLocal<>() {
        @Override
        protected LoopJson initialValue() {
            return new LoopJson();
        }
    };
    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final AsciiString SERVER = AsciiString.cached("netty");
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private long dateSecond = Long.MIN_VALUE;
    private AsciiString date;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (!(msg instanceof HttpRequest request)) {
            return;     // the (empty) content of a GET
        }
        if (request.decoderResult().isFailure()) {
            ctx.writeAndFlush(response(HttpResponseStatus.BAD_REQUEST, Unpooled.EMPTY_BUFFER, HttpHeaderValues.TEXT_PLAIN))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        FullHttpResponse response = switch (request.uri()) {
            case "/plaintext" -> response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(HELLO), HttpHeaderValues.TEXT_PLAIN);
            case "/json" -> response(HttpResponseStatus.OK, json(ctx), HttpHeaderValues.APPLICATION_JSON);
            default -> response(HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER, HttpHeaderValues.TEXT_PLAIN);
        };
        ctx.write(response);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private FullHttpResponse response(HttpResponseStatus status, ByteBuf body, AsciiString contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body,
                HEADERS.newHeaders(), HttpHeaders.EMPTY_HEADERS);
        response.headers()
                .set(HttpHeaderNames.SERVER, SERVER)
                .set(HttpHeaderNames.DATE, date())
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    /** {@code {"message":"Hello, World!"}}, serialized for this request. */
    private static ByteBuf json(ChannelHandlerContext ctx) {
        LoopJson json = LOOP_JSON.get();
        ByteBuf body = ctx.alloc().ioBuffer(32);
        json.sink.target = body;
        try {
            json.generator.writeStartObject();
            json.generator.writeStringField("message", "Hello, World!");
            json.generator.writeEndObject();
            json.generator.flush();
        } catch (IOException | RuntimeException e) {
            body.release();
            LOOP_JSON.remove();     // its generator may be left inside the object: the next request gets a new one
            throw new IllegalStateException("writing to a buffer failed", e);
        } finally {
            json.sink.target = null;
        }
        return body;
    }

    /** An event loop's generator, kept open over a sink aimed at each response's buffer in turn; no root separator. */
    private static final class LoopJson {
        final BufferSink sink = new BufferSink();
        final JsonGenerator generator;

        LoopJson() {
            try {
                generator = JSON.createGenerator(sink);
            } catch (IOException e) {
                throw new UncheckedIOException("creating a generator over memory failed", e);
            }
            generator.setRootValueSeparator(null);
        }
    }

    /** Writes into the buffer it is aimed at (Jackson hands it its bytes on flush). */
    private static final class BufferSink extends OutputStream {
        ByteBuf target;

        @Override
        public void write(int b) {
            target.writeByte(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            target.writeBytes(bytes, offset, length);
        }
    }

    /** The Date value, formatted again only when the second changes (TechEmpower's entry: once a second). */
    private AsciiString date() {
        long second = Math.floorDiv(System.currentTimeMillis(), 1000);
        if (second != dateSecond) {
            dateSecond = second;
            date = new AsciiString(IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
        }
        return date;
    }
}
