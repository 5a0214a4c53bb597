import ArgumentParser
import Hummingbird
import SwitchboardServer

/// `switchboard serve`: the support server alone.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the support server: the REST API and the WebSocket hub.",
        discussion:
            "Prints 'listening on http://HOST:PORT' (https with tlsCertificate/tlsKey in the config file) once it accepts connections; stops cleanly on SIGINT or SIGTERM."
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        Switchboard.bootstrapLogging()
        let configuration = try options.configuration()
        do {
            let app = try await buildApplication(configuration) { host, port in
                announceListening(host: host, port: port, secure: configuration.tls != nil)
            }
            try await app.runService()
        } catch {
            throw StartFailure.explained(error, host: configuration.host, port: configuration.port)
        }
    }
}
