import Foundation
import Histogram
import HummingbirdWSClient
import Logging
import SwitchboardClient
import SwitchboardProtocol
import Synchronization

/// What all of the benchmark's sockets share: the latency histogram and the counters.
final class BenchTally: Sendable {
    let start = ContinuousClock.now
    private let histogram = Mutex(Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three))
    private let counters = Mutex((sent: 0, delivered: 0, acked: 0, errors: 0, closed: 0, presence: 0))

    /// Microseconds since the benchmark started: what a message carries as its send time.
    func now() -> UInt64 {
        let elapsed = ContinuousClock.now - start
        return UInt64(elapsed.components.seconds) * 1_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000_000)
    }

    /// Per second of sending: where in the run a stall happened. Per room: which rooms waited.
    private let timeline = Mutex([Int: Histogram<UInt64>]())
    private let rooms = Mutex([Int: RoomLatency]())

    struct RoomLatency: Sendable {
        var messages = 0
        var slow = 0
        var maxMicroseconds: UInt64 = 0
    }

    /// A message sent at `sentAt` on `ticketId` reached the other side now.
    func delivered(sentAt: UInt64, ticketId: Int) {
        let latency = now() &- sentAt
        _ = histogram.withLock { $0.record(latency) }
        timeline.withLock { seconds in
            let second = Int(sentAt / 1_000_000)
            if seconds[second] == nil {
                seconds[second] = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .two)
            }
            _ = seconds[second]!.record(latency)
        }
        rooms.withLock { rooms in
            var room = rooms[ticketId, default: RoomLatency()]
            room.messages += 1
            if latency > Self.slow { room.slow += 1 }
            room.maxMicroseconds = max(room.maxMicroseconds, latency)
            rooms[ticketId] = room
        }
        counters.withLock { $0.delivered += 1 }
    }

    /// A message slower than this (µs) counts against its room.
    static let slow: UInt64 = 100_000

    /// p50, p99 and max (ms) and the count for each second of sending since the reset, oldest first.
    var perSecond: [(second: Int, count: Int, p50: Double, p99: Double, max: Double)] {
        timeline.withLock { seconds in
            seconds.keys.sorted().map { second in
                let h = seconds[second]!
                return (
                    second, Int(h.totalCount), Double(h.valueAtPercentile(50)) / 1000, Double(h.valueAtPercentile(99)) / 1000,
                    Double(h.max) / 1000
                )
            }
        }
    }

    /// The `count` rooms with the slowest message, slowest first.
    func slowestRooms(_ count: Int) -> [(ticketId: Int, latency: RoomLatency)] {
        rooms.withLock { rooms in
            rooms.sorted { $0.value.maxMicroseconds > $1.value.maxMicroseconds }.prefix(count).map { ($0.key, $0.value) }
        }
    }

    /// Rooms with at least one message over `slow`, of all rooms that had one.
    var slowRoomCount: (slow: Int, all: Int) { rooms.withLock { rooms in (rooms.values.count { $0.slow > 0 }, rooms.count) } }

    func sent() { counters.withLock { $0.sent += 1 } }
    func acked() { counters.withLock { $0.acked += 1 } }
    func error() { counters.withLock { $0.errors += 1 } }
    func closed() { counters.withLock { $0.closed += 1 } }
    func presence() { counters.withLock { $0.presence += 1 } }

    var snapshot: (sent: Int, delivered: Int, acked: Int, errors: Int, closed: Int, presence: Int) { counters.withLock { $0 } }

    /// Latency percentiles in milliseconds.
    func percentiles(_ values: [Double]) -> [Double] {
        histogram.withLock { h in values.map { Double(h.valueAtPercentile($0)) / 1000 } }
    }

    var maxMilliseconds: Double { histogram.withLock { Double($0.max) / 1000 } }
    func resetLatencies() {
        histogram.withLock { $0.reset() }
        timeline.withLock { $0 = [:] }
        rooms.withLock { $0 = [:] }
    }
}

/// One benchmark connection: joins its tickets' rooms, counts what arrives, sends on demand.
final class BenchSocket: Sendable {
    let ticketIds: [Int]
    private let writer = Mutex<WebSocketOutboundWriter?>(nil)
    private let joined = Mutex(0)
    private let encoder = Mutex(WireJSON.encoder())
    private let counter = Mutex(0)
    private let clientId: String
    /// For resuming and for the storm's check: the newest seq received per ticket, the ids of
    /// the messages received from the other side, the ids of this socket's own acknowledged
    /// messages, and how many connections it has made.
    private let seen = Mutex((lastSeq: [Int: Int](), received: Set<Int>(), acked: [(ticketId: Int, messageId: Int)](), connections: 0))

    init(ticketIds: [Int], clientId: String) {
        self.ticketIds = ticketIds
        self.clientId = clientId
    }

    /// The terminal client's reconnect schedule, so a storm comes back as real clients would.
    private static let backoff = Backoff()

    var isJoined: Bool { joined.withLock { $0 } >= ticketIds.count }
    var connections: Int { seen.withLock { $0.connections } }
    var acked: [(ticketId: Int, messageId: Int)] { seen.withLock { $0.acked } }
    func received(_ messageId: Int) -> Bool { seen.withLock { $0.received.contains(messageId) } }

    /// Connects (again, after a short wait, if the connection fails before it has joined its
    /// rooms) and stays connected until the server closes or the task is cancelled. With
    /// `resume`, it connects again whenever the connection ends, as a client does: after a
    /// growing wait with jitter (the client's own `Backoff`), rejoining its rooms with `sinceSeq`.
    /// `url`: the socket address with its query begun (`…/ws?presence=…`); the token is added.
    func run(url: String, token: String, tally: BenchTally, resume: Bool = false) async {
        var attempt = 0
        while !Task.isCancelled && attempt < (resume ? Int.max : 20) {
            attempt += 1
            await connectOnce(url: url, token: token, tally: tally)
            if resume {
                if isJoined { attempt = 1 }
                joined.withLock { $0 = 0 }
                try? await Task.sleep(for: Self.backoff.wait(step: attempt - 1, unit: Double.random(in: 0..<1)))
            } else if isJoined {
                break
            } else {
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
        if !resume { tally.closed() }
    }

    private func connectOnce(url: String, token: String, tally: BenchTally) async {
        do {
            try await WebSocketClient.connect(
                url: "\(url)&access_token=\(token)", configuration: .init(maxFrameSize: 1 << 16),
                logger: Logger(label: "bench")
            ) { inbound, outbound, _ in
                self.writer.withLock { $0 = outbound }
                let lastSeq = self.seen.withLock { seen in
                    seen.connections += 1
                    return seen.lastSeq
                }
                for ticketId in self.ticketIds {
                    let since = lastSeq[ticketId].map { #","sinceSeq":\#($0)"# } ?? ""
                    try await outbound.write(.text(#"{"type":"JOIN_ROOM","ticketId":\#(ticketId)\#(since)}"#))
                }
                let decoder = WireJSON.decoder()
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = message else { continue }
                    // Every frame decoded as a client would: a server is not judged by the order of its keys.
                    switch try? decoder.decode(ServerEvent.self, from: Data(text.utf8)) {
                    case .receiveMessage(let ticketId, let received)?:
                        self.seen.withLock { seen in
                            seen.lastSeq[ticketId] = max(seen.lastSeq[ticketId] ?? 0, received.seq)
                            seen.received.insert(received.id)
                        }
                        if let stamp = received.message.split(separator: " ").last.flatMap({ UInt64($0) }) {
                            tally.delivered(sentAt: stamp, ticketId: ticketId)
                        }
                    case .ack(_, let messageId, let ticketId, _, _, _, _)?:
                        self.seen.withLock { $0.acked.append((ticketId, messageId)) }
                        tally.acked()
                    case .roomJoined?: self.joined.withLock { $0 += 1 }
                    case .error?: tally.error()
                    case .userOnline?, .userOffline?, .presence?: tally.presence()
                    default: break
                    }
                }
            }
        } catch {
            if isJoined { tally.error() }
        }
    }

    func send(on ticketId: Int, tally: BenchTally) async {
        guard let writer = writer.withLock({ $0 }) else { return }
        let sequence = counter.withLock { value -> Int in
            value += 1
            return value
        }
        let frame = ClientFrame(
            .sendMessage(
                ticketId: ticketId, clientMessageId: "\(clientId)-\(sequence)",
                message: "bench \(tally.now())", messageType: nil, internal: nil))
        guard let data = try? encoder.withLock({ try $0.encode(frame) }) else { return }
        do {
            try await writer.write(.text(String(decoding: data, as: UTF8.self)))
            tally.sent()
        } catch {
            tally.error()
        }
    }
}
