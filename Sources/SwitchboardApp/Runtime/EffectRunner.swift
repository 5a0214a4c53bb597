import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// What the runner needs of the terminal (the curses back end gives it; tests need none).
public protocol TerminalServices: Sendable {
    func bell()
    func notify(title: String, body: String, osc777: Bool)
    /// Hands the terminal to `$EDITOR` on `text`; the text as saved, or nil.
    func editExternally(_ text: String) async -> String?
}

/// Carries out the modes' effects: owns the REST client, the realtime connection (with its
/// outbox) and the terminal's services, and posts what came of each effect back through the
/// event loop as an `AppEvent`. Connection work (send, join, typing) runs in order on one task;
/// REST calls each on their own, so a slow list never holds a message back.
public actor EffectRunner {
    public struct Settings: Sendable {
        public var server: URL
        /// More addresses of the same service (nodes on one database), tried in turn after `server`.
        public var fallbacks: [URL] = []
        public var security = TransportSecurity()
        public var dataDirectory: URL
        public var notifications = ClientConfig.Notifications()

        public init(server: URL, dataDirectory: URL) {
            self.server = server
            self.dataDirectory = dataDirectory
        }
    }

    private let settings: Settings
    private let post: @Sendable (AppEvent) -> Void
    private let terminal: (any TerminalServices)?
    private let sessions: SessionStore
    private var api: APIClient?
    private var connection: RealtimeConnection?
    private var listeners: [Task<Void, Never>] = []
    private var username: String?
    private let ordered: AsyncStream<Effect>.Continuation
    private var orderedTask: Task<Void, Never>?
    /// The tester's sockets and calls, in their own order.
    private let tester: TesterRunner
    private let testerEffects: AsyncStream<TesterEffect>.Continuation
    /// Files written, in the order asked (a recorded script is written again as it grows: the newest must land last).
    private let fileWrites: AsyncStream<(path: String, text: String, what: String)>.Continuation

    public init(settings: Settings, terminal: (any TerminalServices)?, post: @escaping @Sendable (AppEvent) -> Void) {
        self.settings = settings
        self.terminal = terminal
        self.post = post
        sessions = SessionStore(directory: settings.dataDirectory)
        let (stream, continuation) = AsyncStream<Effect>.makeStream()
        ordered = continuation
        orderedTask = nil
        let tester = TesterRunner(settings: settings, post: post)
        self.tester = tester
        let (testerStream, testerContinuation) = AsyncStream<TesterEffect>.makeStream()
        testerEffects = testerContinuation
        let (writes, writeContinuation) = AsyncStream<(path: String, text: String, what: String)>.makeStream()
        fileWrites = writeContinuation
        Task {
            for await file in writes {
                do {
                    try file.text.write(toFile: file.path, atomically: true, encoding: .utf8)
                    post(.fileSaved(what: file.what, path: file.path))
                } catch {
                    post(.notice("\(file.path) could not be written: \(error.localizedDescription)"))
                }
            }
        }
        Task { await self.drain(stream) }
        Task { for await effect in testerStream { await tester.run(effect) } }
    }

    private func drain(_ stream: AsyncStream<Effect>) async {
        for await effect in stream { await runInOrder(effect) }
    }

    /// Carries out effects (from any task, without waiting for them).
    public nonisolated func perform(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .join, .leave, .send, .attach, .retry, .discard, .markRead, .typing, .reconnectNow, .setAvailability:
                ordered.yield(effect)
            case .quit, .backToLauncher:
                break  // the program's own business
            case .tester(let effect):
                testerEffects.yield(effect)
            case .saveFile(let path, let text, let what):
                fileWrites.yield((path, text, what))
            default:
                Task { await self.run(effect) }
            }
        }
    }

    /// Signs in with a kept login if there is one (refreshing it), else with `password` if given;
    /// answers whether a sign-in is under way (false: the mode shows its sign-in screen).
    public func resume(username: String, password: String?) async -> Bool {
        if let kept = sessions.load(server: settings.server.absoluteString, username: username) {
            let api = makeAPI()
            await api.adopt(kept)
            do {
                let fresh = try await api.refresh()
                await started(api, user: fresh.user)
                return true
            } catch {
                sessions.save(nil, server: settings.server.absoluteString, username: username)
            }
        }
        guard let password else { return false }
        Task { await self.run(.signIn(username: username, password: password)) }
        return true
    }

    /// Ends the connection (back to the launcher, or quitting); the login stays kept.
    public func stop() async {
        await tester.stop()
        listeners.forEach { $0.cancel() }
        listeners = []
        await connection?.stop()
        connection = nil
        await api?.shutdown()
        api = nil
    }

    // MARK: Effects

    private func run(_ effect: Effect) async {
        if let api, await IntegrationEffects.run(effect, api: api, post: post) { return }
        do {
            switch effect {
            case .signIn(let username, let password):
                let api = makeAPI()
                do {
                    let auth = try await api.login(username: username, password: password)
                    await started(api, user: auth.user)
                } catch { post(.failed(.signIn, error)) }
            case .register(let request):
                let api = makeAPI()
                do {
                    let auth = try await api.register(request)
                    await started(api, user: auth.user)
                } catch { post(.failed(.register, error)) }
            case .signOut:
                try? await api?.logout()
                if let username { sessions.save(nil, server: settings.server.absoluteString, username: username) }
                await stop()
                post(.signedOut)
            case .loadTickets:
                guard let api else { return }
                do { post(.tickets(try await api.tickets(["size": "100", "sort": "-updatedAt"]).items)) } catch {
                    post(.failed(.tickets, error))
                }
            case .openTicket(let request):
                guard let api else { return }
                do { post(.ticketOpened(try await api.openTicket(request))) } catch { post(.failed(.openTicket, error)) }
            case .loadDashboard:
                guard let api else { return }
                do { post(.dashboard(try await api.dashboard())) } catch { post(.failed(.admin, error)) }
            case .loadAdminAgents:
                guard let api else { return }
                do { post(.adminAgents(try await api.agents())) } catch { post(.failed(.admin, error)) }
            case .loadReport(let from, let to):
                guard let api else { return }
                do { post(.report(try await api.report(from: from, to: to))) } catch { post(.failed(.admin, error)) }
            case .loadServerStatistics:
                guard let api else { return }
                do { post(.serverStatistics(try await api.serverStatistics())) } catch { post(.failed(.admin, error)) }
            case .setAgent(let id, let request):
                guard let api else { return }
                do { post(.agentChanged(try await api.setAgent(id, request))) } catch { post(.failed(.admin, error)) }
            case .loadTargets:
                guard let api else { return }
                do { post(.targets(try await api.sla(), try await api.businessHours(), saved: false)) } catch {
                    post(.failed(.targets, error))
                }
            case .saveBusinessHours(let hours):
                guard let api else { return }
                do {
                    let saved = try await api.setBusinessHours(hours)
                    post(.targets(try await api.sla(), saved, saved: true))
                } catch { post(.failed(.targets, error)) }
            case .saveSLA(let settings):
                guard let api else { return }
                do {
                    let saved = try await api.setSLA(settings)
                    post(.targets(saved, try await api.businessHours(), saved: true))
                } catch { post(.failed(.targets, error)) }
            case .createUser(let request):
                guard let api else { return }
                do { post(.userCreated(try await api.createUser(request))) } catch { post(.failed(.createUser, error)) }
            case .completePath(let typed):
                post(.pathCompletions(typed: typed, FileTransfer.pathCandidates(typed)))
            case .saveAttachment(let attachment, let directory):
                guard let api else { return }
                do {
                    let folder = directory.map { URL(fileURLWithPath: $0) } ?? Self.downloads(dataDirectory: settings.dataDirectory)
                    let saved = try await api.download(attachment, into: folder)
                    post(.fileSaved(what: Sanitizer.clean(attachment.fileName), path: saved.path))
                } catch {
                    post(.failed(.download, error))
                }
            case .setStatus(let id, let status):
                guard let api else { return }
                do { post(.ticketChanged(try await api.updateTicket(id, UpdateTicketRequest(status: status)))) } catch {
                    post(.failed(.setStatus(ticketId: id), error))
                }
            case .loadLatest(let id):
                guard let api else { return }
                do { post(.page(ticketId: id, try await api.messages(ticket: id, limit: 50), older: false)) } catch {
                    post(.failed(.messages(ticketId: id), error))
                }
            case .loadOlder(let id, let before):
                guard let api else { return }
                do { post(.page(ticketId: id, try await api.messages(ticket: id, beforeSeq: before, limit: 50), older: true)) } catch {
                    post(.failed(.messages(ticketId: id), error))
                }
            case .loadQueue:
                guard let api else { return }
                do {
                    post(.tickets(try await Self.activeTickets(api)))
                    // The Mentions section comes with the queue.
                    post(.mentions(try await api.mentions()))
                } catch { post(.failed(.tickets, error)) }
            case .mentionsSeen(let id):
                guard let api else { return }
                // Seen is seen: if it does not reach the server, the next start lists it once more.
                try? await api.mentionsSeen(ticket: id)
            case .loadAgents:
                guard let api else { return }
                do { post(.agents(try await api.colleagues())) } catch { post(.failed(.agents, error)) }
            case .loadCanned:
                guard let api else { return }
                do { post(.canned(try await api.cannedResponses())) } catch { post(.failed(.canned, error)) }
            case .claim(let id):
                guard let api else { return }
                do { post(.ticketChanged(try await api.claim(ticket: id))) } catch { post(.failed(.claim(ticketId: id), error)) }
            case .updateTicket(let id, let request):
                guard let api else { return }
                do { post(.ticketChanged(try await api.updateTicket(id, request))) } catch {
                    post(.failed(.ticketAction(ticketId: id), error))
                }
            case .transfer(let id, let agent):
                guard let api else { return }
                do { post(.ticketChanged(try await api.transfer(ticket: id, to: agent))) } catch {
                    post(.failed(.ticketAction(ticketId: id), error))
                }
            case .escalate(let id, let request):
                guard let api else { return }
                do { post(.ticketChanged(try await api.escalate(ticket: id, request))) } catch {
                    post(.failed(.ticketAction(ticketId: id), error))
                }
            case .merge(let id, let into):
                guard let api else { return }
                do { post(.ticketChanged(try await api.merge(ticket: id, into: into))) } catch {
                    post(.failed(.ticketAction(ticketId: id), error))
                }
            case .find(let query, let cursor):
                guard let api else { return }
                do { post(.found(query: query, try await api.search(query, cursor: cursor), first: cursor == nil)) } catch {
                    post(.failed(.find, error))
                }
            case .fetchTicket(let id):
                guard let api else { return }
                do { post(.ticketChanged(try await api.ticket(id))) } catch { post(.failed(.fetchTicket(ticketId: id), error)) }
            case .rate(let id, let request):
                guard let api else { return }
                do { post(.ticketChanged(try await api.rate(ticket: id, request))) } catch { post(.failed(.rate(ticketId: id), error)) }
            case .ratingAsked(let id):
                guard let api else { return }
                // Only a count: if it does not reach the server, the next visit asks once more than it would.
                try? await api.ratingAsked(ticket: id)
            case .createCanned(let request):
                guard let api else { return }
                do {
                    _ = try await api.createCannedResponse(request)
                    post(.canned(try await api.cannedResponses()))
                } catch { post(.failed(.canned, error)) }
            case .updateCanned(let id, let request):
                guard let api else { return }
                do {
                    _ = try await api.updateCannedResponse(id, request)
                    post(.canned(try await api.cannedResponses()))
                } catch { post(.failed(.canned, error)) }
            case .deleteCanned(let id):
                guard let api else { return }
                do {
                    try await api.deleteCannedResponse(id)
                    post(.canned(try await api.cannedResponses()))
                } catch { post(.failed(.canned, error)) }
            case .openEditor(let text):
                post(.edited(await terminal?.editExternally(text)))
            case .notify(let title, let body):
                for signal in NotificationPolicy.signals(for: title, body: body, settings: settings.notifications, at: Date()) {
                    switch signal {
                    case .bell: terminal?.bell()
                    case .desktop(let kind, let title, let body): terminal?.notify(title: title, body: body, osc777: kind == .osc777)
                    }
                }
            default:
                await runInOrder(effect)
            }
        }
    }

    /// Connection work, one effect after another.
    private func runInOrder(_ effect: Effect) async {
        guard let connection else { return }
        switch effect {
        case .join(let id, let since): await connection.join(id, sinceSeq: since)
        case .leave(let id): await connection.leave(id)
        case .markRead(let id, let seq): await connection.markRead(id, upToSeq: seq)
        case .typing(let id, let active, let note): await connection.typing(in: id, active: active, isInternal: note)
        case .setAvailability(let status): await connection.setStatus(status)
        case .reconnectNow: await connection.retryNow()
        case .send(let id, let text, let note):
            do { try await connection.send(text, to: id, isInternal: note) } catch { post(.failed(.outbox, Self.apiError(error))) }
        case .attach(let id, let path, let note):
            // Into the outbox (its own copy), then up and out in turn — offline too, and after a restart.
            do { try await connection.sendFile(URL(fileURLWithPath: path), to: id, isInternal: note) } catch {
                post(.failed(.upload(ticketId: id), Self.apiError(error)))
            }
        case .retry(let id):
            do { try await connection.retry(id) } catch { post(.failed(.outbox, Self.apiError(error))) }
        case .discard(let id):
            do { try await connection.discard(id) } catch { post(.failed(.outbox, Self.apiError(error))) }
        default: break
        }
        await reportOutbox()
    }

    /// Every open and in-progress ticket, page by page (at most 40 pages of 100).
    static func activeTickets(_ api: APIClient) async throws(APIError) -> [Ticket] {
        var all: [Ticket] = []
        for page in 0..<40 {
            let found = try await api.tickets(["status": "OPEN,IN_PROGRESS", "size": "100", "page": String(page), "sort": "-updatedAt"])
            all += found.items
            if all.count >= found.total || found.items.isEmpty { break }
        }
        return all
    }

    static func apiError(_ error: any Error) -> APIError {
        if let error = error as? APIError { return error }
        // The outbox's own refusals (no such file, a folder…) are whole sentences (see FileTransfer.notSent),
        // with the home directory written `~`.
        if let error = error as? OutboxError {
            return APIError(code: .invalid, message: HomeDirectory.abbreviate(error.description), status: 0)
        }
        return APIError(code: .internal, message: "\(error)", status: 0)
    }

    // MARK: The session

    /// Where `/save` puts files when no folder is named: `$XDG_DOWNLOAD_DIR`, else `~/Downloads`
    /// (made when missing), else `downloads` in the data directory — never the home directory or
    /// the working directory themselves, where a file from someone else could be taken for one of
    /// the user's own (`~/.bash_profile`, a script the shell finds first). `XDG_DOWNLOAD_DIR` set
    /// to the home directory, as xdg-user-dirs does when it finds no Downloads folder, is passed over.
    static func downloads(
        environment: [String: String] = ProcessInfo.processInfo.environment, dataDirectory: URL,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) -> URL {
        let home = HomeDirectory.path(environment: environment)
        let forbidden = Set([home, workingDirectory].map(Self.resolved))
        func usable(_ url: URL) -> Bool {
            guard !forbidden.contains(Self.resolved(url.path)) else { return false }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) { return isDirectory.boolValue }
            // ~/Downloads is made only inside an existing home; an XDG folder may need its parents.
            let parents = url.path != home + "/Downloads"
            return (try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: parents)) != nil
        }
        var candidates: [URL] = []
        if let xdg = environment["XDG_DOWNLOAD_DIR"], !xdg.isEmpty {
            candidates.append(URL(fileURLWithPath: HomeDirectory.expand(xdg, environment: environment)))
        }
        candidates.append(URL(fileURLWithPath: home).appendingPathComponent("Downloads"))
        let fallback = dataDirectory.appendingPathComponent("downloads")
        return candidates.first(where: usable) ?? fallback
    }

    /// A path with `..`, `.` and symbolic links resolved, and no slash at the end.
    private static func resolved(_ path: String) -> String {
        var standard = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        while standard.count > 1, standard.hasSuffix("/") { standard.removeLast() }
        return standard
    }

    private func makeAPI() -> APIClient {
        (try? APIClient(server: settings.server, fallbacks: settings.fallbacks, security: settings.security))
            ?? APIClient(server: settings.server, fallbacks: settings.fallbacks)
    }

    /// Signed in: keep the login (and every refresh of it), open the outbox and the connection,
    /// and pass the connection's news on.
    private func started(_ api: APIClient, user: User) async {
        await stop()
        self.api = api
        username = user.username
        let store = sessions, server = settings.server.absoluteString, name = user.username
        if let session = await api.session { store.save(session, server: server, username: name) }
        await api.onSessionChange { session in if let session { store.save(session, server: server, username: name) } }
        do {
            let outbox = try await Outbox.open(
                at: settings.dataDirectory.appendingPathComponent("outbox.sqlite"),
                account: "\(server) \(name.lowercased())")
            var options = RealtimeConnection.Options()
            options.security = settings.security
            let connection = RealtimeConnection(api: api, outbox: outbox, options: options)
            self.connection = connection
            let post = self.post
            listeners = [
                Task { for await state in connection.states { post(.connection(state)) } },
                Task { [weak self] in
                    for await event in connection.events {
                        post(.realtime(event))
                        if case .outgoing = event { await self?.reportOutbox() }
                        if case .discarded = event { await self?.reportOutbox() }
                    }
                },
            ]
            await connection.start()
            post(.signedIn(user))
            // Messages left from an earlier run are shown as they are: queued or failed.
            for message in await outbox.messages { post(.realtime(.outgoing(message))) }
            await reportOutbox()
        } catch {
            post(.failed(.signIn, APIError(code: .internal, message: "the outbox could not be opened: \(error)", status: 0)))
        }
    }

    private func reportOutbox() async {
        guard let connection else { return }
        // Waiting to go, that is: a failed message is shown as failed where it was written.
        post(.outbox(queued: await connection.outbox.messages.count { $0.state == .queued }))
    }
}
