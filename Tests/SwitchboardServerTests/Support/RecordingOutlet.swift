import Synchronization

@testable import SwitchboardServer

/// A connection's frames kept in memory, for tests that drive the hub or a handle without a
/// socket; its writability is set by the test (a socket's send buffer full or not).
final class RecordingOutlet: FrameOutlet {
    private struct State {
        var texts: [String] = []
        var writable = true
        var closes: [UInt16] = []
    }
    private let state = Mutex(State())

    func write(_ text: String) { state.withLock { $0.texts.append(text) } }
    var isWritable: Bool { state.withLock { $0.writable } }
    func close(code: UInt16, reason: String) { state.withLock { $0.closes.append(code) } }

    func setWritable(_ writable: Bool) { state.withLock { $0.writable = writable } }
    var texts: [String] { state.withLock { $0.texts } }
    /// The close codes asked for, in order.
    var closes: [UInt16] { state.withLock { $0.closes } }
}

extension Hub {
    /// A connection whose frames are recorded.
    func connect(_ caller: Caller) async -> (ConnectionHandle, RecordingOutlet) {
        let outlet = RecordingOutlet()
        return (await connect(caller, outlet: outlet), outlet)
    }
}
