import Foundation
import SwitchboardProtocol

/// CPU used so far by the server(s) and by the benchmark itself, with the messages sent by then:
/// two readings give the CPU cost of a message (what the issue tables compare with the relay).
struct CPUReading: Sendable {
    let at: ContinuousClock.Instant
    /// The servers' CPU seconds: from their statistics route, else from /proc for the pids given;
    /// nil when neither says.
    let server: Double?
    let source: String
    let bench: Double
    let sent: Int

    /// A reading now, from each node's statistics (nil where a node did not answer).
    init(_ statistics: [ServerStatistics?], pids: [Int32], sent: Int) {
        let reported = statistics.map { $0?.cpuSeconds }
        if !reported.isEmpty, reported.allSatisfy({ $0 != nil }) {
            server = reported.compactMap { $0 }.reduce(0, +)
            source = "reported by the server"
        } else if !pids.isEmpty, let read = Self.processSeconds(pids) {
            server = read
            source = "from /proc for pid \(pids.map(String.init).joined(separator: ","))"
        } else {
            server = nil
            source = ""
        }
        at = .now
        bench = ServerStatistics.processCPUSeconds()
        self.sent = sent
    }

    /// The window from this reading to `end`.
    func until(_ end: CPUReading) -> Window {
        Window(
            seconds: (end.at - at).inSeconds, server: end.server.flatMap { last in server.map { last - $0 } },
            source: end.source, bench: end.bench - bench, messages: end.sent - sent)
    }

    struct Window: Sendable {
        let seconds: Double
        let server: Double?
        let source: String
        let bench: Double
        let messages: Int

        var report: String {
            let cores = { (cpu: Double) in String(format: "%.2f", cpu / max(seconds, 0.001)) }
            let server =
                self.server.map { cpu in
                    // Hundredths of a second: a relay's 20 s at 1 000 msg/s is about one second of CPU, and
                    // its tenths alone moved a side-by-side ratio by a tenth.
                    String(
                        format: "%.2f s over %.1f s for %d messages = %.3f s per 1 000 messages", cpu, seconds, messages,
                        cpu / Double(max(messages, 1)) * 1000) + " (\(cores(cpu)) cores, \(source))"
                } ?? "not reported (give --server-pid for a server on this machine)"
            return """
                server CPU:         \(server)
                benchmark CPU:      \(String(format: "%.2f s", bench)) (\(cores(bench)) cores): its own share of the machine
                """
        }
    }

    /// User and system CPU seconds of the processes, from /proc/PID/stat (fields 14 and 15, in clock ticks).
    static func processSeconds(_ pids: [Int32]) -> Double? {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        for pid in pids {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After the command name (which may hold spaces): state is field 3, utime 14, stime 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
            total += (user + system) / ticks
        }
        return total
    }
}
