package dev.atoll.benchmarks.netty;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Netty's own echo example ({@code EchoServerHandler}): writes back what it reads, flushing once per read batch. */
@Sharable
final class NettyEchoHandler extends ChannelInboundHandlerAdapter {
    static final NettyEchoHandler INSTANCE = new NettyEchoHandler();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
