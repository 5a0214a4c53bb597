import NIOCore
import Synchronization

/// How many connections the server holds, in all and per client address, against the caps in
/// the config: the total counts every connection (WebSockets too); the per-address count, only
/// those still speaking HTTP — a WebSocket has passed authentication and is capped per user,
/// while slow, unauthenticated HTTP connections are what one address could hold the server with.
final class ConnectionCounter: Sendable {
    struct Caps: Sendable, Equatable {
        var total = 50_000
        var perAddress = 128
        /// Addresses the per-address cap does not apply to (default loopback: the embedded server,
        /// the benchmark and a local proxy all connect from there).
        var exempt: Set<String> = ["127.0.0.1", "::1"]
    }

    enum Verdict: Equatable {
        case admitted
        case tooManyFromAddress
        case tooManyInAll
    }

    let caps: Caps
    private let state = Mutex<(total: Int, byAddress: [String: Int])>((0, [:]))

    init(caps: Caps) { self.caps = caps }

    /// Counts a new connection in, or says which cap it would pass.
    func admit(_ address: String?) -> Verdict {
        state.withLock { state in
            guard state.total < caps.total else { return .tooManyInAll }
            if let address, !caps.exempt.contains(address) {
                let current = state.byAddress[address, default: 0]
                guard current < caps.perAddress else { return .tooManyFromAddress }
                state.byAddress[address] = current + 1
            }
            state.total += 1
            return .admitted
        }
    }

    /// The connection no longer speaks HTTP (it became a WebSocket, or closed).
    func leftHTTP(_ address: String?) {
        guard let address, !caps.exempt.contains(address) else { return }
        state.withLock { state in
            let left = state.byAddress[address, default: 1] - 1
            state.byAddress[address] = left > 0 ? left : nil
        }
    }

    /// The connection has closed.
    func closed() { state.withLock { $0.total -= 1 } }

    var total: Int { state.withLock { $0.total } }
}
