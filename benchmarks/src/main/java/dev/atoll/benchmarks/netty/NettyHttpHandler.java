package dev.atoll.benchmarks.netty;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The endpoints of Atoll's HTTP example on Netty, written as Netty's TechEmpower entry writes them:
 * responses built from constant {@link AsciiString} headers, the plaintext body a shared direct
 * buffer, the JSON body serialized per request with Jackson's streaming generator into a pooled
 * buffer, written without flushing; the flush comes once per read batch. Same headers, statuses and
 * keep-alive rules as Atoll's example.
 */
final class NettyHttpHandler extends ChannelInboundHandlerAdapter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ByteBuf HELLO = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer().writeBytes("Hello, World!".getBytes(StandardCharsets.US_ASCII)));
    private static final AsciiString PLAINTEXT = AsciiString.cached("/plaintext");
    private static final AsciiString JSON_PATH = AsciiString.cached("/json");
    private static final AsciiString SERVER = AsciiString.cached("netty");
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");
    private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
    private static final AsciiString ALLOW = AsciiString.cached("GET, HEAD");
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private long dateSecond = Long.MIN_VALUE;
    private AsciiString date;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                respond(ctx, request);
            }
        } finally {
            ReferenceCountUtil.release(msg);    // the request and any body content: nothing reads them
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            HttpResponseStatus status = switch (decoded.cause()) {
                case TooLongHttpLineException e -> HttpResponseStatus.REQUEST_URI_TOO_LONG;
                case TooLongHttpHeaderException e -> HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
                case TooLongFrameException e -> HttpResponseStatus.BAD_REQUEST;
                default -> HttpResponseStatus.BAD_REQUEST;
            };
            write(ctx, text(status), false, false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        HttpMethod method = request.method();
        boolean known = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        FullHttpResponse response;
        if (PLAINTEXT.contentEquals(path) && known) {
            response = response(HttpResponseStatus.OK, HELLO.duplicate(), TEXT_PLAIN);
        } else if (JSON_PATH.contentEquals(path) && known) {
            response = response(HttpResponseStatus.OK, json(ctx), APPLICATION_JSON);
        } else if (PLAINTEXT.contentEquals(path) || JSON_PATH.contentEquals(path)) {
            response = text(HttpResponseStatus.METHOD_NOT_ALLOWED);
            response.headers().set(HttpHeaderNames.ALLOW, ALLOW);
        } else {
            response = text(HttpResponseStatus.NOT_FOUND);
        }
        write(ctx, response, keepAlive, http10);
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, boolean http10) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.write(response, ctx.voidPromise());
    }

    private FullHttpResponse text(HttpResponseStatus status) {
        return response(status, Unpooled.copiedBuffer(status.reasonPhrase(), StandardCharsets.US_ASCII), TEXT_PLAIN);
    }

    private FullHttpResponse response(HttpResponseStatus status, ByteBuf body, AsciiString contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body, HEADERS, TRAILERS);
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.SERVER, SERVER);
        headers.set(HttpHeaderNames.DATE, date());
        headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    /** {@code {"message":"Hello, World!"}}, serialized for this request. */
    private static ByteBuf json(ChannelHandlerContext ctx) {
        ByteBuf body = ctx.alloc().ioBuffer(32);
        try (JsonGenerator generator = JSON.createGenerator((OutputStream) new ByteBufOutputStream(body))) {
            generator.writeStartObject();
            generator.writeStringField("message", "Hello, World!");
            generator.writeEndObject();
        } catch (IOException e) {
            body.release();
            throw new IllegalStateException("writing to a buffer failed", e);
        }
        return body;
    }

    /** The Date value, formatted again only when the second changes (as Atoll's example does). */
    private AsciiString date() {
        long second = Math.floorDiv(System.currentTimeMillis(), 1000);
        if (second != dateSecond) {
            dateSecond = second;
            date = new AsciiString(IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
        }
        return date;
    }
}
