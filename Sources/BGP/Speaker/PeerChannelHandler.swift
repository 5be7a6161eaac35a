import NIOCore

/// The last handler of a peer connection: hands each frame and the close to the session.
/// Runs on the speaker's single event loop, like everything the session touches.
final class PeerChannelHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = BGPFrame

    private let onFrame: (Channel, BGPFrame) -> Void
    private let onClose: (Channel) -> Void
    private let onWritabilityChanged: (Channel) -> Void

    init(onFrame: @escaping (Channel, BGPFrame) -> Void, onClose: @escaping (Channel) -> Void,
         onWritabilityChanged: @escaping (Channel) -> Void) {
        self.onFrame = onFrame
        self.onClose = onClose
        self.onWritabilityChanged = onWritabilityChanged
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        onWritabilityChanged(context.channel)
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        onFrame(context.channel, unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A reset or timeout: the close that follows reports the failure to the FSM.
        context.close(promise: nil)
    }
}
