import Foundation
import SwitchboardClient
import SwitchboardProtocol

/// Carries out the tester's effects: a REST client and a raw socket per named connection, REST
/// calls as typed, files written, the composer's history kept in the data directory. Effects run
/// in the order they were given (a connect before the send that follows it).
actor TesterRunner {
    private let settings: EffectRunner.Settings
    private let post: @Sendable (AppEvent) -> Void
    private var connections: [String: (api: APIClient, socket: RawSocket?, token: String?)] = [:]

    init(settings: EffectRunner.Settings, post: @escaping @Sendable (AppEvent) -> Void) {
        self.settings = settings
        self.post = post
    }

    private var historyFile: URL { settings.dataDirectory.appendingPathComponent("tester-history.json") }

    func run(_ effect: TesterEffect) async {
        switch effect {
        case .connect(let name, let user, let password, let token, let options):
            await connect(name, user: user, password: password, token: token, options: options)
        case .send(let name, let text):
            if connections[name]?.socket?.send(text) != true {
                post(.tester(.socket(name: name, .failed("not open: nothing sent"), at: Date())))
            }
        case .ping(let name):
            if connections[name]?.socket?.ping() != true { post(.tester(.socket(name: name, .failed("not open: no ping"), at: Date()))) }
        case .close(let name):
            connections[name]?.socket?.close()
        case .rest(let name, let method, let path, let body):
            guard let connection = connections[name] else {
                return post(.tester(.restFailed(name: name, "no connection \(name)", at: Date())))
            }
            do {
                let response = try await connection.api.raw(method: method, path: path, body: body, token: connection.token)
                post(.tester(.answered(name: name, method: method, path: path, response, at: Date())))
            } catch {
                post(.tester(.restFailed(name: name, error.message, at: Date())))
            }
        case .saveHistory(let lines):
            try? FileManager.default.createDirectory(at: settings.dataDirectory, withIntermediateDirectories: true)
            if let data = try? JSONEncoder().encode(lines) { try? data.write(to: historyFile, options: .atomic) }
        case .loadHistory:
            if let data = try? Data(contentsOf: historyFile), let lines = try? JSONDecoder().decode([String].self, from: data) {
                post(.tester(.history(lines)))
            }
        }
    }

    /// Signs `user` in if given, then opens the socket with that token, the one given, or none.
    private func connect(_ name: String, user: String?, password: String?, token: String?, options: [String]) async {
        connections[name]?.socket?.close()
        let api =
            connections[name]?.api
            ?? ((try? APIClient(server: settings.server, security: settings.security, timeout: .seconds(15)))
                ?? APIClient(server: settings.server))
        var bearer = token
        if let user {
            do {
                let auth = try await api.login(username: user, password: password ?? "")
                bearer = auth.accessToken
                post(.tester(.signedIn(name: name, auth.user, at: Date())))
            } catch {
                connections[name] = (api, nil, nil)
                return post(.tester(.connectFailed(name: name, "\(user) could not sign in: \(error.message)", at: Date())))
            }
        }
        let post = self.post
        let socket = RawSocket(
            api: api, credential: bearer.map { .token($0) } ?? .none, security: settings.security,
            options: options
        ) { event in
            post(.tester(.socket(name: name, event, at: Date())))
        }
        connections[name] = (api, socket, bearer)
        socket.open()
    }

    func stop() async {
        for connection in connections.values {
            connection.socket?.close()
            await connection.api.shutdown()
        }
        connections = [:]
    }
}
