/// Where a connection's frames go. The hub and a connection's reader write through it from
/// any thread; frames leave in the order of the calls.
protocol FrameOutlet: Sendable {
    func write(_ text: String)
    /// Whether the socket takes more without waiting: its send buffer is below its high-water mark.
    var isWritable: Bool { get }
    /// A close frame with this code and reason, after the frames already written.
    func close(code: UInt16, reason: String)
}
