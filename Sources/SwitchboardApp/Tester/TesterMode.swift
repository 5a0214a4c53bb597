import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// The tester: several connections at once (signed in as anyone, a pasted token, none or a broken
/// one), every frame in and out in a log, a JSON composer with a template for every client frame,
/// REST by hand, and what was done recorded as a script. A value like every mode.
public struct TesterMode: Equatable, Sendable, ScreenMode {
    public typealias Phase = ModePhase

    /// One socket the tester holds.
    public struct Connection: Equatable, Sendable {
        public var name: String
        /// Who it is ("customer"), "token …", or "no token".
        public var who: String
        public var user: String?
        public var password: String?
        public var token: String?
        /// `key=value` words for the upgrade's query (`presence=batched`); none: the contract's frames.
        public var options: [String] = []
        public var state = State.opening
        /// Reconnect by itself when it closes (toggled with /auto).
        public var autoReconnect = false

        public enum State: Equatable, Sendable {
            case opening, open, refused(Int), closed(code: Int?, reason: String), failed(String)
        }
    }

    /// One line of the log: a frame in or out, or what happened to a connection.
    public struct Entry: Equatable, Sendable {
        public enum Direction: String, Equatable, Sendable { case incoming = "←", outgoing = "→", event = "•" }
        public var time: Date
        public var connection: String
        public var direction: Direction
        /// The frame's `type`, or what happened ("CLOSE", "REFUSED", "GET /api/me 200").
        public var type: String
        public var text: String
        /// The text laid out as JSON (nil when it is not JSON).
        var pretty: [[JSONText.Token]]?
    }

    public var phase = ModePhase.main
    public internal(set) var connections: [Connection] = []
    public internal(set) var current = 0
    public internal(set) var log: [Entry] = []
    /// Entries shown: those the filter admits, by index into `log`.
    public internal(set) var shown: [Int] = []
    public internal(set) var filter = ""
    /// Lines scrolled up from the newest entry (0: following).
    public internal(set) var scroll = 0
    /// The entry chosen for copying (an index into `shown`), nil: none.
    public internal(set) var chosen: Int?
    public internal(set) var composer = LineEditor()
    /// Sends exactly what was typed, checked or not.
    public internal(set) var raw = false
    /// A frame a line (as websocat shows them) instead of laid out.
    public internal(set) var compact = false
    public internal(set) var form: Form?
    public internal(set) var confirm: ConfirmDialog?
    public internal(set) var helpOffset: Int?
    /// The server, the clock, the size, the toasts: what every mode holds alike.
    public internal(set) var basics: ModeBasics
    /// Where the session is recorded as a script (nil: not recorded), and the script so far.
    public let recordPath: String?
    public internal(set) var recorded: [String] = []
    /// The newest ticket seen in a frame, and the highest seq seen of each ticket: the templates' values.
    var lastTicket = 1
    var highestSeq: [Int: Int] = [:]
    static let logLimit = 5_000

    /// The slash commands (`TesterCommand`), as help and Tab read them.
    public let commands = TesterCommand.table

    public var keys = TesterAction.defaultKeys

    /// The first connections are made by `start`.
    public init(
        server: String, record: String? = nil, fromLauncher: Bool = false,
        size: (width: Int, height: Int), now: Date, limits: Limits = Limits()
    ) {
        basics = ModeBasics(server: server, limits: limits, fromLauncher: fromLauncher, size: size, now: now)
        recordPath = record
    }

    /// The first connections: as `users` (name, user, password), each named by its user.
    public mutating func start(as users: [(user: String, password: String?)]) -> [Effect] {
        var effects: [Effect] = [.tester(.loadHistory)]
        for (user, password) in users where !user.isEmpty {
            effects += connect(name: user, user: user, password: password, token: nil)
        }
        if connections.isEmpty {
            toasts.show("No connection yet: /connect NAME as USER (or token TOKEN, or none)", now: now)
        }
        return effects
    }

    public var currentConnection: Connection? { connections.indices.contains(current) ? connections[current] : nil }

    public mutating func update(_ input: ModeInput) -> [Effect] { route(input) }

    var helpTitle: String { "Tester — keys and commands" }

    mutating func paste(signedIn text: String) {
        if form != nil { form!.fields[form!.focus].editor.paste(text) } else { composer.paste(text) }
    }

    /// The script writes owed by what was recorded.
    mutating func settle() -> [Effect] {
        defer { pendingWrites = [] }
        return pendingWrites
    }

    mutating func typingTimeout() -> [Effect] { [] }

    // MARK: Events

    mutating func receive(_ event: AppEvent) -> [Effect] {
        // Files (the log, the recorded script) are written by the runner's `.saveFile`, as the console's CSV is.
        if case .fileSaved(let what, let path) = event, what != "script" {
            toasts.show("\(what) written to \(path)", kind: .success, now: now)
        }
        guard case .tester(let event) = event else {
            if case .notice(let text) = event { toasts.show(text, kind: .error, now: now) }
            return []
        }
        switch event {
        case .signedIn(let name, let user, let time):
            note(name, "SIGNED IN", "\(user.username) (\(user.role.rawValue.lowercased()), id \(user.id))", at: time)
        case .socket(let name, let socketEvent, let time):
            return socket(name, socketEvent, at: time)
        case .connectFailed(let name, let why, let time):
            setState(name, .failed(why))
            note(name, "FAILED", why, at: time)
            toasts.show("\(name): \(why)", kind: .error, now: now)
        case .answered(let name, let method, let path, let response, let time):
            let headers = response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
            add(
                Entry(
                    time: time, connection: name, direction: .incoming, type: "\(method) \(path) → \(response.status)",
                    text: response.body, pretty: JSONText.pretty(response.body)))
            add(Entry(time: time, connection: name, direction: .event, type: "headers", text: headers, pretty: nil))
            record("expect-status \(response.status)")
        case .restFailed(let name, let why, let time):
            note(name, "REST FAILED", why, at: time)
            toasts.show(why, kind: .error, now: now)
        case .history(let lines):
            // Kept across runs; what was typed before it came stays.
            let typed = composer.text
            resetComposer(history: lines)
            composer.replace(with: typed)
        }
        return []
    }

    private mutating func socket(_ name: String, _ event: RawSocket.Event, at time: Date) -> [Effect] {
        switch event {
        case .opened:
            setState(name, .open)
            note(name, "OPEN", "the socket is open", at: time)
        case .received(let text):
            let facts = FrameFacts(text), type = facts.type ?? "(not JSON)"
            notice(facts)
            add(Entry(time: time, connection: name, direction: .incoming, type: type, text: text, pretty: JSONText.pretty(text)))
            record("expect \(name) \(type)" + (facts.ticketId.map { " ticketId=\($0)" } ?? ""))
        case .sent(let text):
            add(
                Entry(
                    time: time, connection: name, direction: .outgoing, type: FrameFacts(text).type ?? "(raw)", text: text,
                    pretty: JSONText.pretty(text)))
        case .pinged:
            add(Entry(time: time, connection: name, direction: .outgoing, type: "PING", text: "", pretty: nil))
        case .refused(let response):
            setState(name, .refused(response.status))
            add(
                Entry(
                    time: time, connection: name, direction: .event, type: "REFUSED \(response.status)", text: response.body,
                    pretty: JSONText.pretty(response.body)))
            record("expect-refused \(name) \(response.status)")
        case .closed(let code, let reason):
            setState(name, .closed(code: code, reason: reason))
            note(name, "CLOSED \(code.map(String.init) ?? "")", reason.isEmpty ? "no reason given" : reason, at: time)
            if let connection = connections.first(where: { $0.name == name }), connection.autoReconnect {
                return open(connection)
            }
        case .failed(let why):
            setState(name, .failed(why))
            note(name, "FAILED", why, at: time)
        }
        return []
    }

    /// Keeps what the templates need: the newest ticket and each ticket's highest seq.
    private mutating func notice(_ facts: FrameFacts) {
        guard let ticket = facts.ticketId else { return }
        lastTicket = ticket
        if let seq = facts.seq { highestSeq[ticket] = max(highestSeq[ticket] ?? 0, seq) }
    }

    mutating func setState(_ name: String, _ state: Connection.State) {
        if let index = connections.firstIndex(where: { $0.name == name }) { connections[index].state = state }
    }

    mutating func note(_ name: String, _ type: String, _ text: String, at time: Date? = nil) {
        add(Entry(time: time ?? now, connection: name, direction: .event, type: type, text: text, pretty: nil))
    }

    /// Adds an entry, keeping the view where it was unless it follows the newest.
    mutating func add(_ entry: Entry) {
        log.append(entry)
        if log.count > Self.logLimit {
            log.removeFirst(log.count - Self.logLimit)
            refilter()
        } else if admits(entry) {
            shown.append(log.count - 1)
            if scroll > 0 { scroll += lines(of: entry) }
        }
    }

    // MARK: Connections

    mutating func connect(name: String, user: String?, password: String?, token: String?, options: [String] = []) -> [Effect] {
        let optionWords = options.map { " " + $0 }.joined()
        let who = (user ?? (token.map { "token \($0.prefix(8))…" } ?? "no token")) + optionWords
        let connection = Connection(name: name, who: who, user: user, password: password, token: token, options: options)
        if let index = connections.firstIndex(where: { $0.name == name }) {
            connections[index] = connection
            current = index
        } else {
            connections.append(connection)
            current = connections.count - 1
        }
        record("connect \(name)" + (user.map { " as \($0)" } ?? "") + (token.map { " token \($0)" } ?? "") + optionWords)
        return open(connection)
    }

    mutating func open(_ connection: Connection) -> [Effect] {
        setState(connection.name, .opening)
        return [
            .tester(
                .connect(
                    name: connection.name, user: connection.user, password: connection.password, token: connection.token,
                    options: connection.options))
        ]
    }

    // MARK: Recording

    mutating func record(_ line: String) {
        guard let recordPath else { return }
        recorded.append(line)
        pendingWrites.append(
            .saveFile(
                path: recordPath, text: "# recorded by switchboard raw\n" + recorded.joined(separator: "\n") + "\n",
                what: "script"))
    }

    /// Writes owed by `record`, handed out with the next effects.
    var pendingWrites: [Effect] = []
}

/// What the tester reads from a frame, parsed once: its type, and the ticket and seq it is about
/// (at the top, in its `message`, or a `ticket`'s id) for the templates and the recording.
struct FrameFacts {
    var type: String?
    var ticketId: Int?
    var seq: Int?

    init(_ text: String) {
        guard let data = text.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return
        }
        let message = object["message"] as? [String: Any], ticket = object["ticket"] as? [String: Any]
        type = object["type"] as? String
        ticketId = object["ticketId"] as? Int ?? message?["ticketId"] as? Int ?? ticket?["id"] as? Int
        seq = object["seq"] as? Int ?? message?["seq"] as? Int ?? object["lastSeq"] as? Int ?? message?["lastSeq"] as? Int
    }
}
