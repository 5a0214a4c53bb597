import ArgumentParser
import Foundation
import Logging
import SwitchboardProtocol
import SwitchboardServer

/// `switchboard users …`: accounts managed straight in the database (how the first admin comes to be).
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage accounts directly in the database.",
        subcommands: [AddUser.self]
    )
}

struct AddUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create an account of any role.",
        discussion: "The password is read from standard input (--password-stdin) or SWITCHBOARD_PASSWORD."
    )

    @OptionGroup var database: DatabaseOptions

    @Option var username: String
    @Option(help: "CUSTOMER, AGENT or ADMIN.") var role: String
    @Option(help: "Shown to others (default: the username).") var displayName: String?
    @Option var email: String?
    @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false

    func validate() throws {
        guard Role(rawValue: role.uppercased()) != nil else {
            throw ValidationError("--role: one of \(Role.allowedValues)")
        }
    }

    func run() async throws {
        Switchboard.bootstrapLogging()
        let environment = ProcessInfo.processInfo.environment
        let configuration = try database.configuration(environment: environment)
        let password = try readPassword(fromStdin: passwordStdin, environment: environment)
        var logger = Logger(label: "switchboard")
        logger.logLevel = .warning
        let store = try await openStore(configuration, logger: logger)
        do {
            let user = try await AccountService.createUser(
                username: username, password: password, displayName: displayName ?? username, email: email,
                role: Role(rawValue: role.uppercased())!, store: store, validator: Validator(limits: configuration.limits),
                hasher: PasswordHasher(cost: configuration.bcryptCost), now: Date())
            try await store.close()
            print("created \(user.role.rawValue.lowercased()) #\(user.id) '\(user.username)' in \(configuration.database)")
        } catch let error as ContractError {
            try? await store.close()
            throw ValidationError(error.message)
        }
    }
}
