import CChildProcess
import Foundation  // Thread
import Glibc  // Linux only: pipe2, closefrom and chdir as spawn actions are glibc's
import Synchronization

/// A program started with `posix_spawn`, for the few places that run one (the user's editor, and
/// the tests' servers and tools).
///
/// Not Foundation's `Process`: on Linux (Swift 6.3.1) its `run()` reads `/proc/self/fd` copying a
/// whole 256-byte `d_name` out of each shorter directory record, and crashes now and then when
/// many files are open — seen in our test runs, fixed upstream in swift-corelibs-foundation
/// PR #5472. Here the child closes every file it would inherit but the three standard ones
/// (`closefrom` as a spawn action), and starts with default signal handling and no blocked
/// signals, whatever the parent ignores.
public final class ChildProcess: Sendable {
    /// What one of the child's standard files is.
    public enum Stream: Sendable {
        /// The parent's own (the terminal, for an editor).
        case inherit
        /// `/dev/null`.
        case null
        /// A pipe whose other end the parent holds (`input`, `output`, `error`).
        case pipe
        /// A file, made if missing and appended to (for output that outlives the parent).
        case append(String)
    }

    public let processIdentifier: pid_t
    /// The parent's ends of the pipes asked for: write to `input`, read `output` and `error`.
    /// The caller closes them.
    public let input: Int32?
    public let output: Int32?
    public let error: Int32?
    /// The raw wait status once the child has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    private init(pid: pid_t, input: Int32?, output: Int32?, error: Int32?) {
        processIdentifier = pid
        self.input = input
        self.output = output
        self.error = error
    }

    /// Starts `executable` (a full path) with `arguments` (not counting the program's name),
    /// `environment` (the parent's when nil) in `directory` (the parent's when nil).
    public static func spawn(
        _ executable: String, arguments: [String], environment: [String: String]? = nil,
        directory: String? = nil, input: Stream = .inherit, output: Stream = .inherit,
        error: Stream = .inherit
    ) throws(SpawnError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var parentEnds: [Int32?] = [nil, nil, nil]
        var childEnds: [Int32] = []
        defer { childEnds.forEach { close($0) } }
        for (target, stream) in [input, output, error].enumerated() {
            switch stream {
            case .inherit: break
            case .null:
                posix_spawn_file_actions_addopen(&actions, Int32(target), "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .append(let path):
                posix_spawn_file_actions_addopen(&actions, Int32(target), path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard sb_pipe_cloexec(&ends) == 0 else {
                    parentEnds.compactMap { $0 }.forEach { close($0) }
                    throw SpawnError(executable: executable, code: errno)
                }
                // The child reads the read end of its input and writes the write end of the others.
                let (child, parent) = target == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
                childEnds.append(child)
                parentEnds[target] = parent
                posix_spawn_file_actions_adddup2(&actions, child, Int32(target))
            }
        }
        if let directory { sb_spawn_addchdir(&actions, directory) }
        sb_spawn_addclosefrom(&actions, 3)

        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { env?.forEach { free($0) } }
        var pid: pid_t = 0
        let code =
            env.map { posix_spawn(&pid, executable, &actions, &attributes, argv, $0) }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard code == 0 else {
            parentEnds.compactMap { $0 }.forEach { close($0) }
            throw SpawnError(executable: executable, code: code)
        }
        return ChildProcess(pid: pid, input: parentEnds[0], output: parentEnds[1], error: parentEnds[2])
    }

    /// Whether the child has not ended yet (reaps it when it has).
    public var isRunning: Bool { waitStatus(blocking: false) == nil }

    /// Waits for the child to end.
    public func waitUntilExit() { _ = waitStatus(blocking: true) }

    /// The exit code, or 128 + N after signal N (as a shell reports it); nil while running.
    public var terminationStatus: Int32? {
        waitStatus(blocking: false).map { status in
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
    }

    /// All the child writes to `output` (a pipe), read here until the child closes it; then
    /// `output` is closed. Read before waiting for the end: a child whose output fills the pipe
    /// would never end.
    public func readOutput() -> [UInt8] {
        guard let output else { return [] }
        var bytes: [UInt8] = []
        readToEnd(output) { bytes += $0 }
        return bytes
    }

    /// Sends SIGTERM.
    public func terminate() { kill(processIdentifier, SIGTERM) }

    private func waitStatus(blocking: Bool) -> Int32? {
        while true {
            let status: Int32? = reaped.withLock { known in
                if let known { return known }
                var status: Int32 = 0
                var result: pid_t
                repeat { result = waitpid(processIdentifier, &status, WNOHANG) } while result == -1 && errno == EINTR
                if result == processIdentifier { known = status }
                return known
            }
            if status != nil || !blocking { return status }
            usleep(10_000)  // polled, so the lock is never held while the child runs
        }
    }
}

/// `posix_spawn` or a pipe failed.
public struct SpawnError: Error, CustomStringConvertible {
    public var executable: String
    public var code: Int32
    public var description: String { "could not start \(executable): \(String(cString: strerror(code)))" }
}

/// Reads a file descriptor to its end on a thread of its own, handing each chunk over as it
/// arrives and an empty one at the end, then closes it.
public func drain(_ descriptor: Int32, into handle: @escaping @Sendable ([UInt8]) -> Void) {
    Thread.detachNewThread {
        readToEnd(descriptor, into: handle)
        handle([])
    }
}

/// Reads a file descriptor to its end, then closes it.
func readToEnd(_ descriptor: Int32, into handle: ([UInt8]) -> Void) {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 { handle(Array(buffer[0..<count])) } else if count == 0 || errno != EINTR { break }
    }
    close(descriptor)
}
