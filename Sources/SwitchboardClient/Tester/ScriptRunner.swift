import Foundation
import Synchronization

/// Runs a `TesterScript` against a server without a screen: each step printed as it passes, and
/// at the first that does not, what was expected and what came — then it stops.
public actor ScriptRunner {
    private let server: URL
    private let security: TransportSecurity
    /// For `connect NAME as USER` without a password.
    private let defaultPassword: String?
    private let output: @Sendable (String) -> Void
    private var connections: [String: (api: APIClient, socket: RawSocket, inbox: Inbox, token: String?)] = [:]
    private var variables: [String: String] = [:]
    private var lastResponse: RawResponse?

    public init(
        server: URL, security: TransportSecurity = TransportSecurity(), defaultPassword: String?,
        output: @escaping @Sendable (String) -> Void
    ) {
        self.server = server
        self.security = security
        self.defaultPassword = defaultPassword
        self.output = output
    }

    /// Whether every step passed.
    public func run(_ script: TesterScript) async -> Bool {
        let passed = await steps(script)
        for connection in connections.values {
            connection.socket.close()
            _ = await connection.inbox.waitForClose(within: .seconds(2))
            await connection.api.shutdown()
        }
        connections = [:]
        return passed
    }

    private func steps(_ script: TesterScript) async -> Bool {
        for line in script.lines {
            let started = ContinuousClock.now
            do {
                let note = try await perform(line.step)
                let took = (ContinuousClock.now - started).components
                let ms = took.seconds * 1000 + took.attoseconds / 1_000_000_000_000_000
                output("✓ \(line.number): \(line.text)" + (note.map { " — \($0)" } ?? "") + " (\(ms) ms)")
            } catch {
                output(
                    "✗ \(line.number): \(line.text)\n" + error.message.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                return false
            }
        }
        output("all \(script.lines.count) steps passed")
        return true
    }

    struct Mismatch: Error { var message: String }

    // MARK: Steps

    private func perform(_ step: TesterScript.Step) async throws(Mismatch) -> String? {
        switch step {
        case .connect(let name, let user, let password, let token, let options):
            let token = try token.map { text throws(Mismatch) in try substitute(text) }
            return try await connect(name, user: user, password: password, token: token, options: options)
        case .send(let name, let text):
            let frame = try substitute(text)
            guard try connection(name).socket.send(frame) else { throw Mismatch(message: "\(name) is not open") }
            return nil
        case .expect(let name, let type, let fields, let within, let capture):
            let inbox = try connection(name).inbox
            var wanted: [(String, String)] = []
            for field in fields { wanted.append((field.path, try substitute(field.value))) }
            let found = await inbox.waitFor(within: within) { frame in
                Frame.value(frame, at: "type") as? String == type && wanted.allSatisfy { Frame.matches(Frame.value(frame, at: $0.0), $0.1) }
            }
            guard let frame = found else {
                let expected =
                    "expected within \(Self.seconds(within)): \(type)"
                    + wanted.map { " \($0.0) = \($0.1)" }.joined(separator: ",")
                throw Mismatch(message: expected + "\n" + inbox.describeUnread(type: type, paths: wanted.map(\.0)))
            }
            try keep(capture, from: Frame.parse(frame))
            return nil
        case .expectRefused(let name, let status, let within):
            let inbox = try connection(name).inbox
            guard let refusal = await inbox.waitForRefusal(within: within) else {
                throw Mismatch(message: "expected a refusal with \(status); came: \(inbox.summary)")
            }
            guard refusal.status == status else {
                throw Mismatch(message: "expected a refusal with \(status); came: \(refusal.status) \(refusal.body)")
            }
            return "\(refusal.status) \(refusal.body)"
        case .expectClosed(let name, let code, let within):
            let inbox = try connection(name).inbox
            guard let closed = await inbox.waitForClose(within: within) else {
                throw Mismatch(message: "expected the socket closed within \(Self.seconds(within)); it is \(inbox.summary)")
            }
            if let code, closed.code != code {
                throw Mismatch(message: "expected close code \(code); came: \(closed.code.map(String.init) ?? "none") \(closed.reason)")
            }
            return "\(closed.code.map(String.init) ?? "no code") \(closed.reason)"
        case .rest(let name, let method, let path, let body):
            let connection = try connection(name)
            let path = try substitute(path), body = try body.map { text throws(Mismatch) in try substitute(text) }
            do {
                let response = try await connection.api.raw(method: method, path: path, body: body, token: connection.token)
                lastResponse = response
                return "\(response.status)"
            } catch {
                throw Mismatch(message: error.message)
            }
        case .expectStatus(let status, let fields, let capture):
            guard let response = lastResponse else { throw Mismatch(message: "no rest step before it") }
            guard response.status == status else {
                throw Mismatch(message: "expected \(status); came: \(response.status) \(response.body)")
            }
            let body = Frame.parse(response.body)
            for field in fields {
                let wanted = try substitute(field.value)
                guard Frame.matches(Frame.value(body, at: field.path), wanted) else {
                    throw Mismatch(message: "expected \(field.path) = \(wanted); came: \(Frame.show(Frame.value(body, at: field.path)))")
                }
            }
            try keep(capture, from: body)
            return nil
        case .close(let name):
            try connection(name).socket.close()
            return nil
        case .sleep(let duration):
            try? await Task.sleep(for: duration)
            return nil
        }
    }

    private func connect(
        _ name: String, user: String?, password: String?, token: String?, options: [String]
    ) async throws(Mismatch) -> String {
        let api: APIClient
        do {
            api = try APIClient(server: server, security: security, timeout: .seconds(10))
        } catch {
            throw Mismatch(message: error.message)
        }
        var bearer = token
        if let user {
            guard let password = password ?? defaultPassword else {
                throw Mismatch(message: "no password for \(user): write it after the name, or set SWITCHBOARD_PASSWORD")
            }
            do {
                bearer = try await api.login(username: user, password: password).accessToken
            } catch {
                throw Mismatch(message: "\(user) could not sign in: \(error.message)")
            }
        }
        let inbox = Inbox()
        let socket = RawSocket(api: api, credential: bearer.map { .token($0) } ?? .none, security: security, options: options) {
            inbox.record($0)
        }
        connections[name] = (api, socket, inbox, bearer)
        socket.open()
        guard await inbox.waitForOutcome(within: .seconds(10)) else { throw Mismatch(message: "no answer from \(server) within 10 s") }
        if let failure = inbox.failure { throw Mismatch(message: failure) }
        return inbox.summary
    }

    private func connection(_ name: String) throws(Mismatch) -> (api: APIClient, socket: RawSocket, inbox: Inbox, token: String?) {
        guard let connection = connections[name] else { throw Mismatch(message: "no connection \(name): connect it first") }
        return connection
    }

    private func keep(_ captures: [TesterScript.Capture], from value: Any?) throws(Mismatch) {
        for capture in captures {
            guard let found = Frame.value(value, at: capture.path) else { throw Mismatch(message: "nothing at \(capture.path) to capture") }
            variables[capture.variable] = (found as? String) ?? Frame.show(found)
        }
    }

    /// `${name}` replaced by what was captured; `${uuid}` by a fresh one.
    private func substitute(_ text: String) throws(Mismatch) -> String {
        var out = "", rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { throw Mismatch(message: "`${` without `}`") }
            let name = String(rest[open.upperBound..<close])
            if name == "uuid" {
                out += UUID().uuidString.lowercased()
            } else if let value = variables[name] {
                out += value
            } else {
                throw Mismatch(message: "no ${\(name)}: capture it first (capture \(name)=path)")
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    static func seconds(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(ms) ms"
    }
}

/// What one socket has brought, for the runner to wait on and match.
final class Inbox: Sendable {
    private struct State {
        var frames: [(text: String, taken: Bool)] = []
        var opened = false
        var refusal: RawResponse?
        var closed: (code: Int?, reason: String)?
        var failure: String?
    }

    private let state = Mutex<State>(State())

    func record(_ event: RawSocket.Event) {
        state.withLock { state in
            switch event {
            case .opened: state.opened = true
            case .received(let text): state.frames.append((text, false))
            case .refused(let response): state.refusal = response
            case .closed(let code, let reason): state.closed = (code, reason)
            case .failed(let why): state.failure = why
            case .sent, .pinged: break
            }
        }
    }

    var failure: String? { state.withLock { $0.failure } }

    var summary: String {
        state.withLock { state in
            if let refusal = state.refusal { return "refused: \(refusal.status) \(refusal.body)" }
            if let closed = state.closed { return "closed: \(closed.code.map(String.init) ?? "no code") \(closed.reason)" }
            if let failure = state.failure { return "failed: \(failure)" }
            return state.opened ? "open" : "opening"
        }
    }

    /// The first frame not yet taken that `matches` (parsed), taken now; nil if none came in time.
    func waitFor(within limit: Duration, _ matches: (Any?) -> Bool) async -> String? {
        await poll(limit) {
            state.withLock { state -> String? in
                guard
                    let index = state.frames.indices.first(where: { !state.frames[$0].taken && matches(Frame.parse(state.frames[$0].text)) }
                    )
                else { return nil }
                state.frames[index].taken = true
                return state.frames[index].text
            }
        }
    }

    func waitForRefusal(within limit: Duration) async -> RawResponse? {
        await poll(limit) { state.withLock { $0.refusal } }
    }

    func waitForClose(within limit: Duration) async -> (code: Int?, reason: String)? {
        await poll(limit) { state.withLock { $0.closed } }
    }

    /// Until the socket is open, refused, closed or failed.
    func waitForOutcome(within limit: Duration) async -> Bool {
        await poll(limit) { state.withLock { $0.opened || $0.refusal != nil || $0.closed != nil || $0.failure != nil ? true : nil } }
            ?? false
    }

    /// What came that was not taken: the frames of `type` with the fields at `paths`, else every type.
    func describeUnread(type: String, paths: [String]) -> String {
        state.withLock { state in
            let unread = state.frames.filter { !$0.taken }.map { (text: $0.text, json: Frame.parse($0.text)) }
            let same = unread.filter { Frame.value($0.json, at: "type") as? String == type }
            if !same.isEmpty {
                return "came: "
                    + same.suffix(5).map { frame in
                        type + paths.map { " \($0) = \(Frame.show(Frame.value(frame.json, at: $0)))" }.joined(separator: ",")
                    }.joined(separator: "; ")
            }
            if unread.isEmpty {
                return "came: nothing" + (state.closed.map { " (closed: \($0.code.map(String.init) ?? "") \($0.reason))" } ?? "")
            }
            return "came: "
                + unread.suffix(8).map { Frame.value($0.json, at: "type") as? String ?? String($0.text.prefix(60)) }
                .joined(separator: ", ")
        }
    }

    private func poll<T>(_ limit: Duration, _ check: () -> T?) async -> T? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let found = check() { return found }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// JSON frames as the tester reads them: values at dotted paths, compared with what a script wrote.
enum Frame {
    static func parse(_ text: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// `message.seq`, `participants.0.id`.
    static func value(_ json: Any?, at path: String) -> Any? {
        var current = json
        for key in path.split(separator: ".") {
            if let object = current as? [String: Any] {
                current = object[String(key)]
            } else if let array = current as? [Any], let index = Int(key), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    /// Whether `actual` is what the script wrote: JSON when it reads as JSON (`1`, `true`,
    /// `"text"`, `null`), else the text itself.
    static func matches(_ actual: Any?, _ written: String) -> Bool {
        let expected = parse(written) ?? written
        if expected is NSNull { return actual == nil || actual is NSNull }
        guard let actual else { return false }
        if let a = actual as? String, let b = expected as? String { return a == b }
        if let a = actual as? NSNumber, let b = expected as? NSNumber { return a == b }
        return show(actual) == show(expected)
    }

    static func show(_ value: Any?) -> String {
        guard let value else { return "nothing" }
        if let text = value as? String { return "\"\(text)\"" }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) else {
            return "\(value)"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
