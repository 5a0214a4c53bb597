import ArgumentParser
import Foundation
import Logging
import SwitchboardProtocol
import SwitchboardServer
import TerminalKit

/// `switchboard users …`: accounts managed straight in the database (how the first admin comes to be).
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage accounts directly in the database.",
        subcommands: [AddUser.self, ListUsers.self, SetPassword.self, SetRole.self]
    )
}

/// `switchboard users list`: every account, one a line.
struct ListUsers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every account: id, role, username, name, email.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        Switchboard.bootstrapLogging()
        let configuration = try database.configuration(environment: ProcessInfo.processInfo.environment)
        let users = try await withStore(configuration) { try await $0.users() }
        let width = max(8, users.map(\.username.count).max() ?? 0)
        print("   ID  ROLE      " + "USERNAME".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "NAME")
        for user in users {
            // Names come from sign-ups: cleaned before they reach the terminal.
            let id = String(user.id), role = user.role.rawValue.lowercased()
            let name = Sanitizer.clean(user.displayName) + (user.email.map { " <\(Sanitizer.clean($0))>" } ?? "")
            print(
                String(repeating: " ", count: max(0, 5 - id.count)) + id + "  " + role.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + Sanitizer.clean(user.username).padding(toLength: width + 2, withPad: " ", startingAt: 0) + name)
        }
    }
}

/// `switchboard users set-password`: a forgotten password replaced; the user's sessions end.
struct SetPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-password",
        abstract: "Give an account a new password; every session it has ends.",
        discussion: "The password is read from standard input (--password-stdin) or SWITCHBOARD_PASSWORD."
    )

    @OptionGroup var database: DatabaseOptions
    @Option var username: String
    @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false

    /// This process changes the database only: a running server finds the ended logins of its
    /// open sockets on its next look (`LoginWatch`, every 5 seconds).
    static let stillConnected = "a client connected now is signed out within seconds"

    func run() async throws {
        Switchboard.bootstrapLogging()
        let environment = ProcessInfo.processInfo.environment
        let configuration = try database.configuration(environment: environment)
        let password: String
        do {
            password = try Validator(limits: configuration.limits).password(
                try readPassword(fromStdin: passwordStdin, environment: environment))
        } catch let error as ContractError {
            throw CommandFailure(error.message)
        }
        let user = try await withStore(configuration) { store in
            let user = try await account(username, in: store, configuration)
            let hash = try await PasswordHasher(cost: configuration.bcryptCost).hash(password)
            _ = try await store.setPassword(userId: user.id, passwordHash: hash, now: Date())
            return user
        }
        print("new password for \(user.role.rawValue.lowercased()) #\(user.id) '\(user.username)'; its sessions have ended")
        print(Self.stillConnected)
    }
}

/// `switchboard users set-role`: an agent made an admin (or back); the user signs in again.
struct SetRole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-role",
        abstract: "Give an account another role; every session it has ends.",
        discussion: "Staff become customers only once no ticket that is not closed is assigned to them."
    )

    @OptionGroup var database: DatabaseOptions
    @Option var username: String
    @Option(help: "CUSTOMER, AGENT or ADMIN.", transform: Role.argument) var role: Role

    func run() async throws {
        Switchboard.bootstrapLogging()
        let configuration = try database.configuration(environment: ProcessInfo.processInfo.environment)
        let (user, before): (User, Role?)
        do {
            (user, before) = try await withStore(configuration) { store in
                let user = try await account(username, in: store, configuration)
                return (user, try await store.setRole(userId: user.id, role: role, now: Date()))
            }
        } catch let error as ContractError {
            throw CommandFailure("cannot make '\(username)' \(role.article) \(role.rawValue.lowercased()): \(error.message)")
        }
        let named = "#\(user.id) '\(user.username)'"
        if before == role {
            print("\(named) is already \(role.article) \(role.rawValue.lowercased()); nothing changed")
        } else {
            print(
                "\(named) is now \(role.article) \(role.rawValue.lowercased()) (was \(before.map { $0.rawValue.lowercased() } ?? "?")); "
                    + "its sessions have ended")
            print(SetPassword.stillConnected)
        }
    }
}

struct AddUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create an account of any role.",
        discussion: "The password is read from standard input (--password-stdin) or SWITCHBOARD_PASSWORD."
    )

    @OptionGroup var database: DatabaseOptions

    @Option var username: String
    @Option(help: "CUSTOMER, AGENT or ADMIN.", transform: Role.argument) var role: Role
    @Option(help: "Shown to others (default: the username).") var displayName: String?
    @Option var email: String?
    @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false

    func run() async throws {
        Switchboard.bootstrapLogging()
        let environment = ProcessInfo.processInfo.environment
        let configuration = try database.configuration(environment: environment)
        let password = try readPassword(fromStdin: passwordStdin, environment: environment)
        let user: User
        do {
            user = try await withStore(configuration) { store in
                try await AccountService.createUser(
                    username: username, password: password, displayName: displayName ?? username, email: email,
                    role: role, store: store, validator: Validator(limits: configuration.limits),
                    hasher: PasswordHasher(cost: configuration.bcryptCost), now: Date())
            }
        } catch let error as ContractError {
            throw CommandFailure(error.message)
        }
        print("created \(user.role.rawValue.lowercased()) #\(user.id) '\(user.username)' in \(configuration.database)")
    }
}

/// The configured database, open for `body` and closed after it, whatever happens in it.
private func withStore<R: Sendable>(_ configuration: ServerConfiguration, _ body: (any Store) async throws -> R) async throws -> R {
    var logger = Logger(label: "switchboard")
    logger.logLevel = .warning
    let store = try await openStore(configuration, logger: logger)
    do {
        let result = try await body(store)
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}

/// The account called `username` (in any case), or a sentence saying there is none.
private func account(_ username: String, in store: any Store, _ configuration: ServerConfiguration) async throws -> User {
    guard let record = try await store.user(username: username) else {
        throw CommandFailure("no account '\(username)' in \(configuration.database)")
    }
    return record.user
}

extension Role {
    fileprivate var article: String { self == .admin || self == .agent ? "an" : "a" }
}

/// A role as typed on the command line, in any case (`agent`, `ADMIN`).
extension Role: ExpressibleByArgument {
    public init?(argument: String) { self.init(word: argument) }

    /// The option's reading: a sentence naming the roles for anything else.
    static func argument(_ text: String) throws -> Role {
        guard let role = Role(argument: text) else { throw ValidationError("--role: one of \(Role.allowedValues)") }
        return role
    }
}
