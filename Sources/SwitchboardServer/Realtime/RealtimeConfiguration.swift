import Foundation

/// Knobs of the WebSocket hub. Defaults suit production; tests shorten the timers.
public struct RealtimeConfiguration: Sendable {
    /// A `TYPING_START` with no refresh for this long is relayed as a stop.
    public var typingTimeout: Duration = .seconds(6)
    /// A user whose last connection closed is announced offline only after this long, so a quick
    /// reconnect is silent.
    public var presenceGrace: Duration = .seconds(5)
    /// Connections that asked for batched presence get at most one `PRESENCE` frame this often.
    public var presenceBatchInterval: Duration = .milliseconds(250)
    public var maxConnectionsPerUser = 10
    /// Idle connections are pinged this often (and closed when the pong does not come).
    public var pingInterval: Duration = .seconds(30)
    /// How long a client has to answer the server's close (or, when the server closes a client
    /// that stopped reading, to let the close frame out) before the connection is cut.
    public var closeTimeout: Duration = .seconds(5)
    /// Frames waiting for one slow connection before it is closed (it resumes with `sinceSeq`).
    public var outboundBuffer = 4_096
    /// Token bucket per user, counting every frame: a burst of `rateBurst`, refilled at
    /// `ratePerSecond`. Past it frames get `RATE_LIMITED`; `floodLimit` refused frames before the
    /// bucket has filled halfway again close the connection.
    public var rateBurst = 120.0
    public var ratePerSecond = 30.0
    public var floodLimit = 100
    /// Accepted `Origin` headers at the upgrade; empty accepts any (terminal clients send none).
    public var allowedOrigins: [String] = []
    /// How long a gap in a room's `seq` may wait for its missing message before it is read back.
    public var gapWait: Duration = .seconds(1)

    public init() {}
}
